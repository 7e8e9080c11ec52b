// Offline JSON-LD document loader for the interop scripts.
//
// It serves exactly three kinds of document and nothing else, so a test can
// never pass because something was fetched from the network:
//   1. the JSON-LD contexts Baeji bundles (src/baeji/credentials/contexts/),
//      checked against the sha256 pinned in their manifest;
//   2. did:key DIDs for Ed25519 keys, and their verification methods;
//   3. documents "seeded" from local files (a did:web DID document, a
//      controller document, a status list credential, ...); a did:web DID
//      is resolved to the https URL its method names, so seeding the
//      document under the address it is published at is enough.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
// The repository root is the parent of interop/.
export const CONTEXTS_DIR = join(
  HERE, '..', 'src', 'baeji', 'credentials', 'contexts');

export const DID_V1 = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function loadBundledContexts() {
  const manifest = JSON.parse(
    readFileSync(join(CONTEXTS_DIR, 'manifest.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, entry] of Object.entries(manifest)) {
    const bytes = readFileSync(join(CONTEXTS_DIR, entry.file));
    const digest = createHash('sha256').update(bytes).digest('hex');
    // A context that differs from the pinned one would change canonical
    // forms silently; refuse to run rather than compare the wrong thing.
    if(entry.sha256 && digest !== entry.sha256) {
      throw new Error(
        `Bundled context ${entry.file} for ${url} has sha256 ${digest}, ` +
        `but the manifest pins ${entry.sha256}.`);
    }
    contexts.set(url, JSON.parse(bytes.toString('utf8')));
  }
  return contexts;
}

/**
 * Build the DID document of an Ed25519 did:key, as the did:key method
 * specification describes it, with a single Multikey verification method.
 *
 * @param {string} did - A DID of the form did:key:z6Mk...
 * @returns {Promise<object>} The DID document.
 */
export async function didKeyDocument(did) {
  const fingerprint = did.slice('did:key:'.length);
  // Parsing through ed25519-multikey rejects anything that is not a
  // base58btc multibase Ed25519 public key with the 0xed01 header.
  const key = await Ed25519Multikey.from({
    '@context': MULTIKEY_V1,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: fingerprint
  });
  const exported = await key.export({publicKey: true});
  if(exported.publicKeyMultibase !== fingerprint) {
    throw new Error(`"${did}" is not a canonical Ed25519 did:key.`);
  }
  const vmId = `${did}#${fingerprint}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{
      id: vmId,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: fingerprint
    }],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId]
  };
}

/**
 * The https URL that did:web resolution reads a DID document from, following
 * the did:web method specification: the method-specific identifier's colons
 * become slashes, a percent-encoded port colon in the host is decoded, and
 * "/did.json" is appended ("/.well-known/did.json" for a bare host).
 *
 * @param {string} did - A DID of the form did:web:host[%3Aport][:path...]
 * @returns {string} The https URL of its DID document.
 */
export function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const decodedHost = host.replace(/%3A/gi, ':');
  if(!decodedHost || /[/?#@%]/.test(decodedHost) ||
    path.some(s => !s || s === '.' || s === '..' || /[/?#]|%2F/i.test(s))) {
    throw new Error(`"${did}" is not a did:web DID this loader can resolve.`);
  }
  return path.length === 0 ?
    `https://${decodedHost}/.well-known/did.json` :
    `https://${decodedHost}/${path.join('/')}/did.json`;
}

// A did:web DID document seeded under the https URL the DID resolves to.
// The document must say it is that DID's: otherwise a document published at
// the right address for another identifier would be accepted.
function seededDidWeb(did, seeds) {
  const url = didWebUrl(did);
  if(!seeds.has(url)) {
    return null;
  }
  const doc = seeds.get(url);
  if(doc.id !== did) {
    throw new Error(
      `The DID document at "${url}" has id "${doc.id}", not "${did}".`);
  }
  return doc;
}

// Find the node with the given id anywhere in a controller/DID document
// (verificationMethod entries or embedded verification relationships).
function findNode(doc, id) {
  const base = doc.id;
  const matches = value => value === id ||
    (typeof value === 'string' && value.startsWith('#') && base + value === id);
  const stack = [doc];
  while(stack.length > 0) {
    const node = stack.pop();
    if(Array.isArray(node)) {
      stack.push(...node);
    } else if(node && typeof node === 'object') {
      if(node !== doc && matches(node.id)) {
        return {...node, id};
      }
      stack.push(...Object.values(node));
    }
  }
  return null;
}

/**
 * Parse `URL=FILE` seed arguments into a Map of URL -> parsed JSON.
 *
 * @param {string[]} seeds - Each "URL=FILE"; the last "=" separates them so
 *   URLs with query strings still work.
 * @returns {Map<string, object>} The seeded documents.
 */
export function readSeeds(seeds) {
  const map = new Map();
  for(const seed of seeds) {
    const at = seed.lastIndexOf('=');
    if(at <= 0 || at === seed.length - 1) {
      throw new Error(`--seed expects URL=FILE, got "${seed}".`);
    }
    const url = seed.slice(0, at);
    const file = seed.slice(at + 1);
    map.set(url, JSON.parse(readFileSync(file, 'utf8')));
  }
  return map;
}

/**
 * Create a jsonld.js-compatible document loader that never touches the
 * network.
 *
 * @param {object} [options] - Options.
 * @param {Map<string, object>} [options.seeds] - Extra documents by URL.
 * @returns {Function} async (url) => {contextUrl, documentUrl, document}.
 */
export function createDocumentLoader({seeds = new Map()} = {}) {
  const contexts = loadBundledContexts();

  const resolve = async url => {
    if(contexts.has(url)) {
      return contexts.get(url);
    }
    if(seeds.has(url)) {
      return seeds.get(url);
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    let doc = null;
    if(seeds.has(base)) {
      doc = seeds.get(base);
    } else if(base.startsWith('did:key:')) {
      doc = await didKeyDocument(base);
    } else if(base.startsWith('did:web:')) {
      doc = seededDidWeb(base, seeds);
    }
    if(doc === null) {
      return null;
    }
    if(hash === -1) {
      return doc;
    }
    const node = findNode(doc, url);
    if(node === null) {
      throw new Error(`"${base}" has no node with id "${url}".`);
    }
    // A dereferenced fragment keeps its document's context so that the
    // Multikey context requirement of ed25519-multikey is met.
    return {'@context': doc['@context'], ...node};
  };

  return async function documentLoader(url) {
    const document = await resolve(url);
    if(document === null) {
      throw new Error(
        `Refusing to load "${url}": it is not a bundled context, a did:key, ` +
        'a seeded document or a did:web whose document is seeded (this ' +
        'loader never uses the network).');
    }
    // Hand out copies so no caller can mutate the cached originals.
    return {
      contextUrl: null,
      documentUrl: url,
      document: structuredClone(document)
    };
  };
}
