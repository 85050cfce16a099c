"""The JSON API's OpenAPI 3.1 document (`/api/openapi.json`) and its reading page (`/api/docs`).

The document is data written by hand beside the views in newsrank/api/views.py; two tests hold it
to them: tests/api/test_openapi.py (every API route is documented, nothing more) and
tests/api/test_schemathesis.py (generated requests against a live server: no 5xx, every answer
matches its schema). The page is rendered on the server from the same document: no script.
Spec: https://spec.openapis.org/oas/v3.1.0
"""

from __future__ import annotations

import json
from functools import cache

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from newsrank.api.views import json_errors
from newsrank.board.lists import MAX_PAGE

VERSION = "1.0.0"

# ------------------------------------------------------------------ schema building blocks


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(properties: dict, required: list[str] | None = None, **extra) -> dict:
    """An object with these properties, all required unless `required` says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}


def page_of(items: dict, **fields) -> dict:
    return obj(fields | {"results": {"type": "array", "items": items}})


SCHEMAS = {
    "Error": obj(
        {
            "error": obj(
                {
                    "status": {"type": "integer", "minimum": 400, "maximum": 599},
                    "message": {
                        "type": "string",
                        "description": "사람이 읽을 설명 (한국어 또는 영어)",
                    },
                    "retry_after": {
                        "type": "integer",
                        "description": "429에서만: 다시 시도하기까지 기다릴 초",
                    },
                },
                required=["status", "message"],
            )
        }
    ),
    "PostSummary": obj(
        {
            "number": {"type": "integer", "description": "사이트 전체에서 늘기만 하는 글 번호"},
            "title": STRING,
            "outlet": {"type": "string", "description": "언론사 이름"},
            "section": nullable({"type": "string", "description": "게시판 (politics, economy, …)"}),
            "published_at": TIME | {"description": "언론사 발행 시각, 없으면 수집 시각"},
            "url": URL | {"description": "원문 주소 (언론사)"},
            "link": URL | {"description": "이 사이트의 글 주소"},
            "story": nullable({"type": "integer", "description": "이슈 id (/api/stories/{id})"}),
        }
    ),
    "Image": obj({"url": STRING, "caption": STRING}, required=["url"]),
    "PostPage": page_of(
        ref("PostSummary"),
        page=INTEGER,
        pages={"type": "integer", "description": "마지막 쪽 번호"},
        count={"type": "integer", "description": "보이는 글 수"},
        page_size=INTEGER,
    ),
    "SearchHit": {
        "allOf": [
            ref("PostSummary"),
            obj(
                {
                    "title_html": {
                        "type": "string",
                        "description": "escape된 제목, 찾은 말은 <mark>",
                    },
                    "snippet_html": {
                        "type": "string",
                        "description": "본문 발췌, 찾은 말은 <mark>",
                    },
                }
            ),
        ]
    },
    "SearchPage": page_of(
        ref("SearchHit"),
        query=STRING,
        page=INTEGER,
        pages=INTEGER,
        total={"type": "integer", "description": "찾은 글 수 (상한까지 센 값)"},
        total_is_exact={"type": "boolean", "description": "false면 total은 하한"},
        message={"type": "string", "description": "검색어·날짜·쪽에 대한 안내, 없으면 빈 문자열"},
    ),
    "StorySummary": obj(
        {
            "id": INTEGER,
            "headline": STRING,
            "outlets": {"type": "integer", "description": "보도한 언론사 수"},
            "posts": {"type": "integer", "description": "기사 수"},
            "first_at": TIME,
            "newest_at": TIME,
            "score": {"type": "number", "description": "랭킹 점수 (언론사 수, 최신성, 독자)"},
            "link": URL,
        }
    ),
    "StoryList": page_of(ref("StorySummary")),
    "StoryDetail": {
        "allOf": [
            ref("StorySummary"),
            obj(
                {
                    "summary": {
                        "type": "array",
                        "items": STRING,
                        "description": "요약 (최대 3문장)",
                    },
                    "results": {"type": "array", "items": ref("PostSummary")},
                }
            ),
        ]
    },
    "PostDetail": {
        "allOf": [
            ref("PostSummary"),
            obj(
                {
                    "subtitles": {"type": "array", "items": STRING},
                    "authors": {"type": "array", "items": STRING},
                    "body_text": {
                        "type": "string",
                        "description": "본문 (전문 게재가 꺼진 언론사는 앞 두 문단)",
                    },
                    "images": {"type": "array", "items": ref("Image")},
                }
            ),
        ]
    },
    "PopularList": obj(
        {
            "window_hours": INTEGER,
            "results": {
                "type": "array",
                "items": {
                    "allOf": [
                        ref("PostSummary"),
                        obj({"readers": {"type": "integer", "description": "24시간 순 독자 수"}}),
                    ]
                },
            },
        }
    ),
    "Trend": obj(
        {
            "term": STRING,
            "posts": {"type": "integer", "description": "최근 구간에서 이 말이 나온 기사 수"},
            "expected": {"type": "number", "description": "기준 구간으로 본 기대값"},
            "score": NUMBER,
            "search": URL | {"description": "이 말의 검색 주소"},
        }
    ),
    "TrendList": page_of(ref("Trend"), recent_hours=NUMBER, baseline_hours=NUMBER),
    "FeedHealth": obj(
        {
            "id": INTEGER,
            "outlet": STRING,
            "section": STRING,
            "url": STRING,
            "enabled": BOOLEAN,
            "status": {"type": "string", "enum": ["new", "ok", "error", "paused"]},
            "last_success_at": nullable(TIME),
            "last_checked_at": nullable(TIME),
            "error": STRING,
            "error_count": INTEGER,
            "first_error_at": nullable(TIME),
            "poll_seconds": INTEGER,
            "items_per_day": NUMBER,
            "last_entry_at": nullable(TIME),
            "lag_seconds": nullable(NUMBER),
            "next_check_at": TIME,
        }
    ),
    "Health": obj(
        {
            "checked_at": TIME,
            "feeds": obj(
                {
                    "total": INTEGER,
                    "new": INTEGER,
                    "ok": INTEGER,
                    "error": INTEGER,
                    "paused": INTEGER,
                }
            ),
            "posts": obj(
                {
                    "last_hour": INTEGER,
                    "last_day": INTEGER,
                    "newest_at": nullable(TIME),
                }
            ),
            "results": {"type": "array", "items": ref("FeedHealth")},
        }
    ),
}

ERRORS = {
    "400": "잘못된 매개변수 (예: page가 1부터 1,000,000,000 사이의 정수가 아님)",
    "404": "없는 글, 이슈 또는 쪽",
    "405": "GET과 HEAD 밖의 메서드",
    "429": "주소당 요청 한도 초과 (Retry-After 헤더)",
    "500": "서버 내부 오류",
}


def error_response(code: str) -> dict:
    response = {
        "description": ERRORS[code],
        "content": {"application/json": {"schema": ref("Error")}},
    }
    if code == "429":
        response["headers"] = {
            "Retry-After": {"description": "다시 시도하기까지 기다릴 초", "schema": INTEGER}
        }
    return response


PAGE = {
    "name": "page",
    "in": "query",
    "required": False,
    "description": "쪽 번호 (1부터)",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
}


def operation(
    op_id: str, summary: str, description: str, schema: str, *, params=(), errors=()
) -> dict:
    codes = sorted({"405", "429", "500", *errors})
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "description": description,
            "parameters": list(params),
            "responses": {
                "200": {
                    "description": "성공",
                    "content": {"application/json": {"schema": ref(schema)}},
                },
                **{code: {"$ref": f"#/components/responses/{code}"} for code in codes},
            },
        }
    }


def id_param(name: str, what: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": what,
        # The key is a 64-bit integer in both databases.
        "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    }


PATHS = {
    "/api/posts": operation(
        "listPosts",
        "최신 글 목록",
        "보이는 글을 번호가 큰 것부터 20개씩. 게시판 첫 화면과 같은 목록입니다.",
        "PostPage",
        params=[PAGE],
        errors=["400", "404"],
    ),
    "/api/posts/{number}": operation(
        "getPost",
        "글 하나",
        "글의 본문, 부제, 기자, 사진. 숨긴 글과 차단한 언론사의 글은 404입니다.",
        "PostDetail",
        params=[id_param("number", "글 번호")],
        errors=["404"],
    ),
    "/api/search": operation(
        "searchPosts",
        "한국어 검색",
        '/search 페이지와 같은 검색: 여러 단어는 모두 포함, "구절", -제외, outlet:언론사. '
        "검색어가 없거나 날짜가 잘못되면 결과 없이 message로 알려 줍니다.",
        "SearchPage",
        params=[
            {
                "name": "q",
                "in": "query",
                "required": False,
                "description": "검색어 (앞 256자까지 읽습니다)",
                "schema": {"type": "string"},
            },
            PAGE,
            {
                "name": "from",
                "in": "query",
                "required": False,
                "description": "이 날부터 (YYYY-MM-DD; 읽을 수 없으면 message로 알림)",
                "schema": {"type": "string"},
            },
            {
                "name": "to",
                "in": "query",
                "required": False,
                "description": "이 날까지 (YYYY-MM-DD; 읽을 수 없으면 message로 알림)",
                "schema": {"type": "string"},
            },
            {
                "name": "title",
                "in": "query",
                "required": False,
                "description": "1, on 또는 true면 제목에서만 찾습니다",
                "schema": {"type": "string"},
            },
            {
                "name": "sort",
                "in": "query",
                "required": False,
                "description": "date면 최신순, 그 밖에는 정확도순 (relevance)",
                "schema": {"type": "string"},
            },
        ],
        errors=["400"],
    ),
    "/api/stories": operation(
        "listStories",
        "랭킹: 지금 중요한 이슈",
        "보도한 언론사 수, 최신성, 독자 수로 매긴 이슈 50개 (/ranking과 같은 순서).",
        "StoryList",
    ),
    "/api/stories/{pk}": operation(
        "getStory",
        "이슈 하나",
        "이슈를 보도한 언론사별 기사, 오래된 것부터, 요약과 함께.",
        "StoryDetail",
        params=[id_param("pk", "이슈 id (목록의 id)")],
        errors=["404"],
    ),
    "/api/popular": operation(
        "listPopular",
        "많이 본 뉴스",
        "최근 24시간 동안 순 독자가 가장 많은 글.",
        "PopularList",
    ),
    "/api/trending": operation(
        "listTrending",
        "트렌드 키워드",
        "최근 몇 시간에 기준 구간보다 많이 나온 말, 점수 순.",
        "TrendList",
    ),
    "/api/health": operation(
        "getHealth",
        "수집 상태",
        "피드마다 상태, 마지막 성공과 오류, 확인 간격, 하루 기사 수, 지연; 합계.",
        "Health",
    ),
}


@cache
def document() -> dict:
    """The OpenAPI document, built once a process (it is code, it changes with a deploy)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{settings.NEWSRANK_SITE_NAME} API",
            "version": VERSION,
            "description": (
                "한국어 뉴스 모음 게시판 newsrank의 읽기 전용 JSON API. 모든 응답은 UTF-8 JSON이고, "
                ' 오류는 {"error": {"status", "message"}} 모양에 알맞은 상태 코드로 답합니다. '
                "API와 검색은 주소마다 요청 수가 제한되며, 넘으면 429와 Retry-After를 받습니다."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": {code: error_response(code) for code in ERRORS},
        },
    }


# ------------------------------------------------------------------ views


@json_errors
def openapi_json(request):
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})


@json_errors
def docs(request):
    """The document as a page: each operation, its parameters, answers and their fields."""
    doc = document()
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            responses = [
                {"code": code, "description": _resolve(doc, answer)["description"]}
                | _schema_of(_resolve(doc, answer))
                for code, answer in op["responses"].items()
            ]
            operations.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": op["summary"],
                    "description": op["description"],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type_label(doc, p["schema"]),
                            "description": p.get("description", ""),
                        }
                        for p in op["parameters"]
                    ],
                    "responses": responses,
                }
            )
    schemas = [
        {"name": name, "fields": _fields(doc, schema)}
        for name, schema in doc["components"]["schemas"].items()
    ]
    return render(
        request,
        "api/docs.html",
        {"info": doc["info"], "operations": operations, "schemas": schemas},
    )


def _resolve(doc: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, section, name = node["$ref"].split("/")
        node = doc["components"][section][name]
    return node


def _schema_of(answer: dict) -> dict:
    schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
    name = schema.get("$ref", "").rsplit("/", 1)[-1]
    return {"schema": name}


def _type_label(doc: dict, schema: dict) -> str:
    """A short type for the page: `integer`, `string (date)`, `PostSummary[]`, `string | null`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_label(doc, s) for s in schema["anyOf"])
    if "allOf" in schema:
        return " + ".join(_type_label(doc, s) for s in schema["allOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"{_type_label(doc, schema.get('items', {}))}[]"
    if "enum" in schema:
        return f"{kind}: " + ", ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _fields(doc: dict, schema: dict, prefix: str = "") -> list[dict]:
    """The fields of an object schema, nested objects flattened as `a.b`, allOf merged."""
    fields = []
    for part in schema.get("allOf", [schema]):
        if "$ref" in part:
            fields.append(
                {
                    "name": prefix + "…",
                    "type": _type_label(doc, part),
                    "required": True,
                    "description": "이 스키마의 모든 필드",
                }
            )
            continue
        required = set(part.get("required", []))
        for name, sub in part.get("properties", {}).items():
            fields.append(
                {
                    "name": prefix + name,
                    "type": "object" if sub.get("type") == "object" else _type_label(doc, sub),
                    "required": name in required,
                    "description": sub.get("description", ""),
                }
            )
            if sub.get("type") == "object":
                fields += _fields(doc, sub, prefix=f"{prefix}{name}.")
    return fields
