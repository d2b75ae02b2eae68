"""A minimal plan for tests: one goal, two core tasks (one unit room), a committee; the
officials kim and lee on `localhost`."""

MINI = """\
[plan]
key = "demo"
name_ko = "시험 계획"
name_en = "Test plan"
committee_room = true

[committee]
chairs = ["@kim:localhost"]
members = ["@lee:localhost"]

[offices]
seoul = "정부서울청사"
sejong = "정부세종청사"

[[directory]]
user = "@kim:localhost"
name = "김민수"
ministry = "행정안전부"
office = "seoul"

[[directory]]
user = "@lee:localhost"
name = "이지은"
ministry = "기획재정부"
office = "sejong"

[[goals]]
key = "service"
name_ko = "서비스 정부"
name_en = "Service government"

[[goals.core_tasks]]
key = "core-01"
name_ko = "선제적 맞춤형 서비스"
name_en = "Pre-emptive personalised services"
wg = { chairs = ["@kim:localhost"], members = ["@lee:localhost"] }

[[goals.core_tasks.unit_tasks]]
key = "unit-01-1"
name_ko = "단위"
name_en = "Unit"
room = true

[[goals.core_tasks.unit_tasks.detailed]]
key = "detail-01-1-1"
name_ko = "세부"
name_en = "Detail"

[[goals.core_tasks]]
key = "core-02"
name_ko = "정부-민간 연계"
name_en = "With the private sector"
wg = { chairs = ["@lee:localhost"], members = ["@kim:localhost"] }

[[goals.core_tasks.unit_tasks]]
key = "unit-02-1"
name_ko = "단위 2"
name_en = "Unit 2"
detailed = [
    { key = "detail-02-1-1", name_ko = "세부 1", name_en = "Detail 1" },
    { key = "detail-02-1-2", name_ko = "세부 2", name_en = "Detail 2" },
]
"""
