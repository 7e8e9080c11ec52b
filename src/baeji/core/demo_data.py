"""Realistic demo data: a youth centre and an education office with badges, learners, awards.

Seeding is idempotent: an organization that already exists is left alone, so running the
demo again keeps what was there (including anything done through the web pages).
Everything goes through the services, as it would in production.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from baeji.accounts.services import user_get_or_create_for_email
from baeji.achievements.services import achievement_create, competency_create
from baeji.awards.services import award_issue, award_revoke, award_suspend
from baeji.organizations.models import Organization, Role
from baeji.organizations.services import membership_set, organization_create

STAFF_EMAIL = "staff@youth-centre.example"
OFFICE_STAFF_EMAIL = "staff@education-office.example"
LEARNER_EMAIL = "learner@example.com"

COMPETENCIES = [
    ("C1", "자기관리", "스스로 목표를 세우고 꾸준히 실천하는 힘"),
    ("C2", "의사소통", "생각을 분명히 말하고 다른 사람의 말을 경청하는 힘"),
    ("C3", "협업", "함께 역할을 나누고 공동의 목표를 이루는 힘"),
    ("C4", "창의적 사고", "새로운 생각을 만들고 시도하는 힘"),
    ("C5", "문제해결", "문제를 찾아 분석하고 해결책을 실행하는 힘"),
    ("C6", "디지털 소양", "디지털 도구와 정보를 안전하고 책임 있게 쓰는 힘"),
    ("C7", "시민의식", "공동체에 참여하고 책임을 다하는 태도"),
    ("C8", "신체건강", "몸을 건강하게 가꾸고 안전을 지키는 힘"),
    ("C9", "문화예술 감수성", "예술을 느끼고 표현하는 힘"),
]

# (area, [(slug, name, description, criteria, competency codes, level or None, family)])
SWIM_TIMES = [
    "25m 완주",
    "25m 50초 이내",
    "50m 완주",
    "50m 90초 이내",
    "100m 완주",
    "100m 2분 이내",
    "200m 완주",
    "400m 완주",
]
SWIM_STROKES = [
    "자유형",
    "자유형",
    "자유형·배영",
    "자유형·배영",
    "자유형·배영·평영",
    "자유형·배영·평영",
    "네 가지 영법",
    "네 가지 영법",
]


def _youth_badges() -> list[dict]:
    badges: list[dict] = []
    for n in range(1, 9):
        badges.append(
            dict(
                slug=f"swim-{n}",
                name=f"수영 {n}단계",
                category="체육",
                family="수영",
                level=n,
                description=f"수영 {n}단계 과정을 마치고 기록 평가를 통과했습니다.",
                criteria_md=f"- {SWIM_STROKES[n - 1].split('·')[0]} {SWIM_TIMES[n - 1]}\n"
                f"- 영법: {SWIM_STROKES[n - 1]}\n- 수상 안전 수칙을 설명할 수 있다",
                competencies=["C8", "C1"],
                icon="wave",
                color="#1565C0",
                result_descriptions=[{"name": "기록", "result_type": "Result"}],
            )
        )
    simple = {
        "체육": [
            ("basketball", "농구 기초", "C3"),
            ("basketball-2", "농구 심화", "C3"),
            ("taekwondo-1", "태권도 1단계", "C8"),
            ("taekwondo-2", "태권도 2단계", "C8"),
            ("taekwondo-3", "태권도 3단계", "C8"),
            ("climbing", "클라이밍 입문", "C8"),
        ],
        "문화예술": [
            ("band-1", "밴드 합주 1단계", "C9"),
            ("band-2", "밴드 합주 2단계", "C9"),
            ("band-3", "밴드 합주 3단계", "C9"),
            ("theatre", "연극 무대 경험", "C2"),
            ("exhibition", "미술 전시 참여", "C9"),
            ("dance-1", "댄스 기초", "C9"),
            ("dance-2", "댄스 공연", "C9"),
            ("photo", "사진 기초", "C4"),
            ("choir", "합창단 활동", "C3"),
        ],
        "진로": [
            ("career-1", "진로 탐색 1단계", "C1"),
            ("career-2", "진로 탐색 2단계", "C1"),
            ("career-3", "진로 탐색 3단계", "C1"),
            ("job-shadow", "직업 체험", "C5"),
            ("interview", "모의 면접", "C2"),
            ("startup", "창업 아이디어", "C4"),
            ("portfolio", "포트폴리오 완성", "C1"),
            ("mentor", "멘토링 참여", "C2"),
        ],
        "봉사": [
            ("volunteer-10", "봉사 10시간", "C7"),
            ("volunteer-30", "봉사 30시간", "C7"),
            ("volunteer-50", "봉사 50시간", "C7"),
            ("eco", "환경 지킴이", "C7"),
            ("elderly", "어르신 디지털 도우미", "C6"),
            ("tutor", "또래 학습 도우미", "C2"),
            ("campaign", "캠페인 기획", "C5"),
            ("disaster", "안전 교육 이수", "C8"),
        ],
        "디지털": [
            ("coding-1", "코딩 1단계", "C6"),
            ("coding-2", "코딩 2단계", "C6"),
            ("coding-3", "코딩 3단계", "C5"),
            ("maker", "메이커 프로젝트", "C4"),
            ("video", "영상 제작", "C4"),
            ("media-lit", "미디어 리터러시", "C6"),
            ("robot", "로봇 만들기", "C5"),
            ("ai-camp", "AI 캠프 수료", "C6"),
        ],
        "리더십": [
            ("council", "청소년 운영위원", "C7"),
            ("leader-1", "리더십 1단계", "C3"),
            ("leader-2", "리더십 2단계", "C3"),
            ("debate", "토론 대회 참가", "C2"),
            ("festival", "축제 기획단", "C3"),
            ("mc", "행사 진행", "C2"),
            ("global", "국제 교류 참여", "C7"),
        ],
    }
    icons = {
        "체육": ("trophy", "#2E7D32"),
        "문화예술": ("brush", "#8E24AA"),
        "진로": ("target", "#EF6C00"),
        "봉사": ("heart", "#C62828"),
        "디지털": ("code", "#00838F"),
        "리더십": ("flag", "#37474F"),
    }
    for area, items in simple.items():
        for slug, name, code in items:
            level = int(name[-3]) if name.endswith("단계") else None
            badges.append(
                dict(
                    slug=slug,
                    name=name,
                    category=area,
                    family=name[:-4] if level else "",
                    level=level,
                    description=f"{name} 과정을 성실히 마쳤습니다.",
                    criteria_md=f"- {name} 프로그램 출석 80% 이상\n- 활동 결과물 제출",
                    competencies=[code],
                    icon=icons[area][0],
                    color=icons[area][1],
                    result_descriptions=[],
                )
            )
    return badges


AI_AREAS = [
    ("ai-basics", "AI 이해"),
    ("data", "데이터 활용"),
    ("prompt", "프롬프트 작성"),
    ("coding", "코딩과 알고리즘"),
    ("ethics", "디지털 윤리"),
    ("security", "정보 보안"),
    ("media", "디지털 미디어 제작"),
    ("collab", "온라인 협업 도구"),
    ("edtech", "에듀테크 수업 설계"),
    ("contents", "디지털 콘텐츠 개발"),
]
AI_LEVELS = [("basic", "기초"), ("applied", "활용"), ("advanced", "심화"), ("expert", "전문")]


def _office_badges() -> list[dict]:
    badges = []
    for slug, area in AI_AREAS:
        for n, (level_slug, level_name) in enumerate(AI_LEVELS, start=1):
            badges.append(
                dict(
                    slug=f"{slug}-{level_slug}",
                    name=f"{area} {level_name}",
                    category=area,
                    family=area,
                    level=n,
                    level_name=level_name,
                    description=f"{area} 역량을 {level_name} 수준으로 갖추었습니다.",
                    criteria_md=(
                        f"- {area} {level_name} 과정 {8 * n}시간 이수\n- 수행 과제 평가 통과"
                    ),
                    competencies=[],
                    icon="chip" if n < 3 else "lightbulb",
                    color="#283593",
                    result_descriptions=[{"name": "평가 점수", "result_type": "Percent"}],
                    valid_days=3 * 365 if n >= 3 else None,
                )
            )
    for slug, name in [
        ("instructor-ai", "AI 교육 강사"),
        ("instructor-digital", "디지털 튜터"),
        ("instructor-lead", "선도 교사"),
    ]:
        badges.append(
            dict(
                slug=slug,
                name=name,
                category="강사",
                family="",
                level=None,
                description=f"{name} 연수를 마치고 인증을 받았습니다.",
                criteria_md="- 강사 연수 30시간 이수\n- 시범 수업 평가 통과",
                competencies=[],
                icon="graduation",
                color="#4E342E",
                result_descriptions=[],
                valid_days=2 * 365,
                achievement_type="Certification",
            )
        )
    for slug, name in [
        ("festival-2025", "AI 교육 페스티벌 2025 참가"),
        ("hackathon-2025", "코딩 해커톤 2025 수상"),
        ("conference-2025", "디지털 교육 콘퍼런스 발표"),
    ]:
        badges.append(
            dict(
                slug=slug,
                name=name,
                category="행사",
                family="",
                level=None,
                description=f"{name}을(를) 기념합니다.",
                criteria_md="- 행사 참가 확인",
                competencies=[],
                icon="star",
                color="#AD1457",
                result_descriptions=[],
            )
        )
    return badges


SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "도윤",
    "서윤",
    "시우",
    "지우",
    "하준",
    "하윤",
    "주원",
    "지유",
    "지호",
    "채원",
    "준서",
    "수아",
    "예준",
    "지민",
    "유준",
    "다은",
    "건우",
    "예은",
    "현우",
    "소율",
    "우진",
    "윤서",
    "선우",
    "민서",
    "연우",
    "하은",
    "정우",
    "지아",
]


def _user(email: str, name: str, *, staff: bool = False):
    """The demo account for ``email``, made the way a claim link makes one."""
    user = user_get_or_create_for_email(email=email, name=name)
    if staff and not user.is_staff:
        # Demo staff may open the Django admin too.
        get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
        user.is_staff = True
    return user


def _create_badges(organization, specs, by, competencies) -> dict:
    created = {}
    for spec in specs:
        alignments = [
            {
                "target_name": competencies[c].name,
                "target_url": competencies[c].url,
                "target_code": c,
                "target_framework": competencies[c].framework,
                "target_type": "CFItem",
            }
            for c in spec.get("competencies", [])
        ]
        created[spec["slug"]] = achievement_create(
            organization=organization,
            slug=spec["slug"],
            by=by,
            name=spec["name"],
            description=spec["description"],
            criteria_md=spec["criteria_md"],
            achievement_type=spec.get("achievement_type", "Badge"),
            category=spec["category"],
            family=spec["family"],
            level=spec["level"],
            level_name=spec.get("level_name", ""),
            tags=[spec["category"]] + ([spec["family"]] if spec["family"] else []),
            valid_days=spec.get("valid_days"),
            language="ko",
            result_descriptions=spec["result_descriptions"],
            alignments=alignments,
            design={
                "icon": spec["icon"],
                "color": spec["color"],
                "shape": "hexagon" if spec["level"] else "circle",
            },
        )
    return created


def _learners(rng: random.Random, count: int) -> list[tuple[str, str]]:
    people = [(LEARNER_EMAIL, "김하늘")]
    for n in range(1, count):
        people.append((f"learner{n:03d}@example.com", rng.choice(SURNAMES) + rng.choice(GIVEN)))
    return people


def _award_many(rng, badges, people, staff, *, per_person, result: Callable, say) -> list:
    awards = []
    now = timezone.now()
    slugs = sorted(badges)
    for i, (email, name) in enumerate(people):
        for slug in rng.sample(slugs, k=min(len(slugs), rng.randint(*per_person))):
            achievement = badges[slug]
            days_ago = rng.randint(1, 900)
            awards.append(
                award_issue(
                    achievement=achievement,
                    recipient_email=email,
                    recipient_name=name,
                    issued_by=staff,
                    result=result(achievement.current_version, rng),
                    narrative=None,
                    issued_at=now - timedelta(days=days_ago, minutes=rng.randint(0, 600)),
                    notify=False,
                )
            )
        if i and i % 50 == 0:
            say(f"  … {i} learners")
    return awards


def _swim_result(version, rng) -> str | None:
    if version.family == "수영":
        return f"{rng.randint(30, 49)}초" if version.level == 2 else "통과"
    if version.result_descriptions and version.result_descriptions[0]["result_type"] == "Percent":
        return str(rng.randint(70, 100))
    return None


def seed(say: Callable[[str], None] = print, *, learners: int = 300) -> None:
    """Create the demo organizations, badges, learners and awards if they are not there."""
    # Demo data only: a fixed seed makes every demo database alike.
    rng = random.Random(20250301)  # noqa: S311
    if not Organization.objects.filter(slug="youth-centre").exists():
        say("Seeding the youth centre (54 badges, images are drawn once) …")
        staff = _user(STAFF_EMAIL, "박지현", staff=True)
        centre = organization_create(
            slug="youth-centre",
            name="한빛 청소년센터",
            kind="institution",
            by=staff,
            description="청소년의 배움과 성장을 배지로 기록하는 지역 청소년센터입니다.",
            url="https://youth-centre.example",
            email="hello@youth-centre.example",
        )
        competencies = {
            code: competency_create(
                organization=centre,
                code=code,
                name=name,
                description=desc,
                by=staff,
                framework="한빛 청소년 핵심역량",
                url=f"https://youth-centre.example/competencies/{code}",
            )
            for code, name, desc in COMPETENCIES
        }
        badges = _create_badges(centre, _youth_badges(), staff, competencies)
        say(f"  {len(badges)} badges")
        people = _learners(rng, learners)
        awards = _award_many(
            rng, badges, people, staff, per_person=(1, 4), result=_swim_result, say=say
        )
        for award in rng.sample(awards, k=max(1, len(awards) // 40)):
            award_revoke(award=award, reason="출석 기록 오류로 취소", by=staff)
        for award in rng.sample([a for a in awards if a.status == "active"], k=3):
            award_suspend(award=award, reason="기록 재확인 중", by=staff)
        say(f"  {len(awards)} awards")
    if not Organization.objects.filter(slug="education-office").exists():
        say("Seeding the education office (46 badges) …")
        staff = _user(OFFICE_STAFF_EMAIL, "최도윤", staff=True)
        office = organization_create(
            slug="education-office",
            name="미래시 교육청",
            kind="authority",
            by=staff,
            description="AI·디지털 역량 인증 배지를 발급하는 교육청입니다.",
            url="https://education-office.example",
        )
        school = organization_create(
            slug="mirae-middle",
            name="미래중학교",
            kind="institution",
            parent=office,
            description="미래시 교육청 소속 중학교",
        )
        membership_set(organization=school, user=_user(STAFF_EMAIL, "박지현"), role=Role.ISSUER)
        badges = _create_badges(office, _office_badges(), staff, {})
        people = _learners(random.Random(7), learners // 3)  # noqa: S311
        awards = _award_many(
            rng, badges, people, staff, per_person=(1, 3), result=_swim_result, say=say
        )
        for award in rng.sample(awards, k=max(1, len(awards) // 50)):
            award_revoke(award=award, reason="발급 오류", by=staff)
        say(f"  {len(badges)} badges, {len(awards)} awards")
    seed_learner_growth(say)
    seed_frameworks(say)


GROWTH_YOUTH = [
    "swim-1", "swim-2", "swim-3", "swim-4", "career-1", "career-2", "band-1", "coding-1",
    "coding-2", "volunteer-10", "leader-1", "debate", "theatre", "eco", "maker",
]  # fmt: skip
GROWTH_OFFICE = [
    "ai-basics-basic", "ai-basics-applied", "ai-basics-advanced", "data-basic", "data-applied",
    "prompt-basic", "coding-basic", "ethics-basic", "ethics-applied", "security-basic",
    "media-basic",
]  # fmt: skip
CHILD_EMAIL = "child@example.com"
GUARDIAN_EMAIL = "parent@example.com"


def seed_learner_growth(say: Callable[[str], None] = print) -> None:
    """Give the demo learner enough badges across levels for the growth view, and add a child
    under 14 whose guardian has consented (the guardian's read-only view).

    Idempotent: badges the learner already holds are skipped; the family is made once.
    """
    from baeji.achievements.models import Achievement
    from baeji.awards.models import Award
    from baeji.guardians.models import Guardianship
    from baeji.guardians.services import (
        guardian_consent_grant,
        guardian_request,
        learner_age_set,
    )

    now = timezone.now()
    plan = [
        ("youth-centre", GROWTH_YOUTH, STAFF_EMAIL),
        ("education-office", GROWTH_OFFICE, OFFICE_STAFF_EMAIL),
    ]
    issued = 0
    for slug, badge_slugs, staff_email in plan:
        staff = get_user_model().objects.filter(email=staff_email).first()
        held = set(
            Award.objects.filter(
                recipient_email=LEARNER_EMAIL, organization__slug=slug
            ).values_list("achievement__slug", flat=True)
        )
        for n, badge_slug in enumerate(badge_slugs):
            achievement = Achievement.objects.filter(
                organization__slug=slug, slug=badge_slug
            ).first()
            if achievement is None or badge_slug in held:
                continue
            award_issue(
                achievement=achievement,
                recipient_email=LEARNER_EMAIL,
                recipient_name="김하늘",
                issued_by=staff,
                result="통과" if achievement.current_version.family == "수영" else None,
                issued_at=now - timedelta(days=700 - 45 * n),
                notify=False,
            )
            issued += 1
    if issued:
        say(f"  {issued} more badges for {LEARNER_EMAIL} (growth view)")
    if Guardianship.objects.filter(child__email=CHILD_EMAIL).exists():
        return
    child = _user(CHILD_EMAIL, "이서윤")
    learner_age_set(user=child, birth_year=now.year - 11)
    centre_staff = get_user_model().objects.filter(email=STAFF_EMAIL).first()
    for n, badge_slug in enumerate(["swim-1", "swim-2", "band-1", "eco"]):
        achievement = Achievement.objects.filter(
            organization__slug="youth-centre", slug=badge_slug
        ).first()
        if achievement is not None:
            award_issue(
                achievement=achievement,
                recipient_email=CHILD_EMAIL,
                recipient_name="이서윤",
                issued_by=centre_staff,
                issued_at=now - timedelta(days=300 - 60 * n),
                notify=False,
            )
    link = guardian_request(child=child, guardian_email=GUARDIAN_EMAIL, language="ko")
    guardian_consent_grant(guardianship=link, guardian=_user(GUARDIAN_EMAIL, "이정민"))
    say(f"  a child ({CHILD_EMAIL}, under 14) whose guardian ({GUARDIAN_EMAIL}) consented")


def seed_frameworks(say: Callable[[str], None] = print) -> None:
    """The education office's AI·digital framework (areas and levels), shared with its schools."""
    from baeji.achievements.models import CompetencyFramework
    from baeji.achievements.services import framework_create, framework_part_add

    office = Organization.objects.filter(slug="education-office").first()
    if office is None or CompetencyFramework.objects.filter(organization=office).exists():
        return
    framework = framework_create(
        organization=office,
        name="AI·디지털 역량 인증 체계",
        description="미래시 교육청의 AI·디지털 역량 인증 영역과 단계",
    )
    for code, (_slug, area) in enumerate(AI_AREAS, start=1):
        framework_part_add(framework=framework, kind="area", code=f"AI{code:02d}", name=area)
    for _slug, level_name in AI_LEVELS:
        framework_part_add(framework=framework, kind="level", name=level_name)
    say(f"  a competency framework with {len(AI_AREAS)} areas and {len(AI_LEVELS)} levels")
