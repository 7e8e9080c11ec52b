#!/usr/bin/env node
// Sign and verify eddsa-rdfc-2022 Data Integrity proofs with Digital
// Bazaar's JavaScript libraries, as an implementation independent of Baeji.
//
//   node di.mjs verify [--mode credential|proof] [--now ISO]
//                      [--seed URL=FILE]... < signed.json
//   node di.mjs sign --key KEYFILE [--created ISO] < unsigned.json
//
// verify prints {"verified": bool, "error"?: str, "errors"?: [str],
// "status"?: [...]} and exits 0 when verified, 1 when not, 2 on bad usage.
// sign prints the signed credential and exits 0, or 2 on failure.
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';

import {createDocumentLoader, MULTIKEY_V1, readSeeds} from './loader.mjs';

const {purposes: {AssertionProofPurpose}} = jsigs;

const USAGE = `usage:
  node di.mjs verify [--mode credential|proof] [--now ISO] [--seed URL=FILE]...
  node di.mjs sign --key KEYFILE [--created ISO] [--seed URL=FILE]...
Reads the JSON document on stdin and writes JSON on stdout.`;

class UsageError extends Error {}

function readStdinJson() {
  const text = readFileSync(0, 'utf8');
  try {
    return JSON.parse(text);
  } catch(e) {
    throw new UsageError(`stdin is not JSON: ${e.message}`);
  }
}

// jsonld-signatures nests the reasons a proof failed; flatten them so the
// caller sees every message, not only the outer "Verification error(s).".
function errorMessages(error, out = []) {
  if(!error) {
    return out;
  }
  if(Array.isArray(error)) {
    error.forEach(e => errorMessages(e, out));
    return out;
  }
  if(error.message && !out.includes(error.message)) {
    out.push(error.message);
  }
  if(error.errors) {
    errorMessages(error.errors, out);
  }
  if(error.cause) {
    errorMessages(error.cause, out);
  }
  // jsonld.js keeps the underlying error (e.g. the document loader's) here.
  if(error.details && error.details.cause) {
    errorMessages(error.details.cause, out);
  }
  return out;
}

function collectErrors(result) {
  const out = [];
  errorMessages(result.error, out);
  for(const r of result.results || []) {
    errorMessages(r.error, out);
    if(r.purposeResult) {
      errorMessages(r.purposeResult.error, out);
    }
  }
  if(result.statusResult) {
    errorMessages(result.statusResult.error, out);
  }
  return out;
}

async function verify({mode, now, documentLoader}) {
  if(now !== undefined && isNaN(new Date(now))) {
    throw new UsageError(`--now "${now}" is not a date-time.`);
  }
  const credential = readStdinJson();
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  let result;
  if(mode === 'credential') {
    // Full VC verification: proof, assertionMethod authorisation by the
    // key's controller, issuer == that controller, validity period and,
    // when present, the Bitstring Status List entry (whose list credential
    // is itself verified and must come from the same issuer).
    result = await vc.verifyCredential({
      credential, suite, documentLoader,
      now: now === undefined ? undefined : new Date(now),
      checkStatus: credential.credentialStatus ?
        options => checkStatus({...options, suite, documentLoader}) :
        undefined
    });
  } else if(mode === 'proof') {
    // Data Integrity proof only: the key must still be authorised for
    // assertionMethod by its controller, but the document's issuer is not
    // bound to that controller (for test vectors whose issuer is a
    // placeholder URL).
    result = await jsigs.verify(credential, {
      suite, documentLoader, purpose: new AssertionProofPurpose()
    });
  } else {
    throw new UsageError(`--mode must be "credential" or "proof", not "${mode}".`);
  }

  const out = {verified: result.verified === true};
  const errors = collectErrors(result);
  if(!out.verified) {
    // Prefer a specific reason over jsonld-signatures' generic wrapper.
    const specific = errors.filter(m => m !== 'Verification error(s).');
    out.error = specific[0] || errors[0] || 'not verified';
    out.errors = errors;
  }
  if(result.statusResult) {
    out.status = (result.statusResult.results || []).map(r => ({
      statusPurpose: r.credentialStatus.statusPurpose,
      statusListIndex: r.credentialStatus.statusListIndex,
      statusListCredential: r.credentialStatus.statusListCredential,
      set: r.status
    }));
  }
  return out;
}

async function sign({keyFile, created, documentLoader}) {
  if(!keyFile) {
    throw new UsageError('sign needs --key KEYFILE.');
  }
  const keyData = JSON.parse(readFileSync(keyFile, 'utf8'));
  if(keyData.type !== undefined && keyData.type !== 'ed25519') {
    throw new UsageError(`Key type "${keyData.type}" is not ed25519.`);
  }
  const controller = keyData.controller || keyData.did;
  const key = await Ed25519Multikey.from({
    '@context': MULTIKEY_V1,
    type: 'Multikey',
    id: keyData.verificationMethod,
    controller,
    publicKeyMultibase: keyData.publicKeyMultibase,
    secretKeyMultibase: keyData.secretKeyMultibase
  });
  const credential = readStdinJson();
  const suite = new DataIntegrityProof({
    signer: key.signer(), date: created, cryptosuite: eddsaRdfc2022
  });
  return vc.issue({credential, suite, documentLoader});
}

async function main(argv) {
  const {values, positionals} = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mode: {type: 'string', default: 'credential'},
      now: {type: 'string'},
      key: {type: 'string'},
      created: {type: 'string'},
      seed: {type: 'string', multiple: true, default: []},
      help: {type: 'boolean', short: 'h'}
    }
  });
  if(values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if(positionals.length !== 1) {
    throw new UsageError(USAGE);
  }
  const documentLoader = createDocumentLoader({seeds: readSeeds(values.seed)});
  const [command] = positionals;
  if(command === 'verify') {
    const out = await verify({mode: values.mode, now: values.now, documentLoader});
    process.stdout.write(JSON.stringify(out) + '\n');
    return out.verified ? 0 : 1;
  }
  if(command === 'sign') {
    const signed = await sign({
      keyFile: values.key, created: values.created, documentLoader
    });
    process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
    return 0;
  }
  throw new UsageError(`unknown command "${command}".\n${USAGE}`);
}

main(process.argv.slice(2)).then(code => {
  process.exitCode = code;
}, error => {
  process.stderr.write(`${error instanceof UsageError ? '' : 'error: '}` +
    `${error.message}\n`);
  process.exitCode = 2;
});
