"""The page: one Jinja template (Chinese, `?lang=en` English), its strings, and the programme
fragment (what `programs show` says, then the init questions as a form). No CDN: the script and
style sheet are package data under static/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

_ENV = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(["html"]))
_ENV.globals["zip"] = zip

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "zonekit 申报材料助手", "lang_other": "English", "lang_other_code": "en",
        "tab_prepare": "1 准备材料包", "tab_check": "2 检查", "tab_bundle": "3 生成申报材料",
        "tab_collect": "汇总（受理部门）", "choose": "选择申报项目", "loading": "正在加载…",
        "no_token": "缺少令牌：请用 zonekit serve 打印的链接打开本页。", "conditions": "申报条件",
        "materials": "申报材料", "required": "是否必需", "source": "依据", "folder": "目录", "quotas": "名额",
        "deadlines": "截止日期", "contacts": "通知所列联系方式", "submission": "报送要求",
        "questions": "申报信息（写入 材料清单.xlsx 的“申报信息”表，以后可在 WPS/Excel 中修改）",
        "download_packet": "下载空白材料包（zip）", "any_of": "满足任一", "all_of": "同时满足",
        "in_principle": "原则上", "commitment": "可承诺3年内达到", "yes": "是", "no": "否", "blank": "（不填）",
        "from_form": "取自表单", "drop": "把填好的材料包 zip 拖到这里，或", "pick_zip": "选择 zip",
        "pick_dir": "选择文件夹", "drop_many": "把多个材料包 zip 拖到这里，或", "as_of": "检查日期",
        "verdict": "结论", "eligibility": "申报条件", "findings": "问题", "no_findings": "没有发现问题",
        "severity": "级别", "where": "位置", "problem": "问题", "hint": "怎么改", "error": "错误", "warning": "警告",
        "info": "提示", "packet_files": "（材料包）", "checking": "正在检查…", "date": "申报日期",
        "draft": "有错误也生成草稿（带水印）", "build": "生成申报材料", "building": "正在生成…",
        "bundle_ready": "已生成，下载：", "refused": "未生成申报材料", "collect": "汇总", "collecting": "正在汇总…",
        "workbook": "下载汇总表 汇总.xlsx", "conflicts": "跨材料包冲突", "packets": "材料包", "applicant": "申报单位",
        "status": "状态", "counts": "错误/警告/提示", "scope": "范围", "count": "数量 / 上限",
        "no_conflicts": "没有冲突", "no_quotas": "本项目没有名额规定", "summary_ok": "没有错误，可以生成申报材料",
        "summary_bad": "有错误，改正后再拖进来检查", "selected": "已选择",
        "bundle_hint": "在第 2 步选择的材料包；也可以在这里重新选择。", "none_selected": "还没有选择材料包",
        "status_met": "✓ 满足", "status_met_by_commitment": "✓ 承诺满足", "status_unmet": "✗ 未满足",
        "status_unknown": "? 无法判断", "status_in_principle": "! 原则上未达到", "status_not_applicable": "— 不适用",
        "status_outcome": "· 结果", "unit": "报送单位（按单位填写的项目，可不填）",
    },
    "en": {
        "title": "zonekit application packets", "lang_other": "中文", "lang_other_code": "zh",
        "tab_prepare": "1 Prepare", "tab_check": "2 Check", "tab_bundle": "3 Bundle",
        "tab_collect": "Collect (reviewers)", "choose": "Choose a programme", "loading": "Loading…",
        "no_token": "No token: open this page with the link zonekit serve printed.", "conditions": "Conditions",
        "materials": "Materials", "required": "Required", "source": "Article", "folder": "Folder", "quotas": "Quotas",
        "deadlines": "Deadlines", "contacts": "Contacts in the notice", "submission": "Submission",
        "questions": "Answers (written to the sheet 申报信息 of 材料清单.xlsx; change them later in WPS/Excel)",
        "download_packet": "Download the blank packet (zip)", "any_of": "any of", "all_of": "all of",
        "in_principle": "in principle", "commitment": "may be committed within 3 years", "yes": "yes", "no": "no",
        "blank": "(blank)", "from_form": "from the form", "drop": "Drop a filled packet zip here, or",
        "pick_zip": "choose a zip", "pick_dir": "choose a folder", "drop_many": "Drop several packet zips here, or",
        "as_of": "Check as of", "verdict": "Verdict", "eligibility": "Eligibility", "findings": "Findings",
        "no_findings": "No findings", "severity": "severity", "where": "where", "problem": "problem",
        "hint": "what to do", "error": "error", "warning": "warning", "info": "note", "packet_files": "(packet)",
        "checking": "Checking…", "date": "Date", "draft": "Build a watermarked draft despite errors",
        "build": "Build the bundle", "building": "Building…", "bundle_ready": "Ready, download:",
        "refused": "Bundle refused", "collect": "Collect", "collecting": "Collecting…",
        "workbook": "Download the workbook 汇总.xlsx", "conflicts": "Conflicts across packets", "packets": "Packets",
        "applicant": "applicant", "status": "status", "counts": "errors/warnings/notes", "scope": "scope",
        "count": "count / limit", "no_conflicts": "No conflicts", "no_quotas": "No quotas for this programme",
        "summary_ok": "No errors: ready to bundle", "summary_bad": "Errors: fix them and drop the packet again",
        "selected": "Selected", "bundle_hint": "The packet chosen in step 2; or choose one here.",
        "none_selected": "No packet chosen yet", "status_met": "✓ met", "status_met_by_commitment": "✓ by commitment",
        "status_unmet": "✗ unmet", "status_unknown": "? unknown", "status_in_principle": "! in principle, missed",
        "status_not_applicable": "— n/a", "status_outcome": "· outcome",
        "unit": "Reporting unit (programmes filled per unit; optional)",
    },
}


async def index(request: Request) -> HTMLResponse:
    lang = "en" if request.query_params.get("lang") == "en" else "zh"
    return HTMLResponse(_ENV.get_template("index.html").render(t=STRINGS[lang], lang=lang))


def programme_json(prog: Any) -> dict[str, Any]:
    """`zonekit programs show ID --format json`."""
    from zonekit.answers import questions
    from zonekit.terminal import JSON_VERSION

    asked = [{"key": q.key, "label": q.label, "kind": q.kind, "values": list(q.values), "choices": q.choices(),
              "default": q.default, "required": q.required, "source": q.source, "from": q.from_form}
             for q in questions(prog)]
    return {"version": JSON_VERSION, "spec_sha256": prog.sha256, "questions": asked, **prog.data}


def programme_fragment(request: Request, prog: Any, lang: str) -> HTMLResponse:
    from zonekit.answers import questions
    from zonekit.spec.wording import contact_lines, requirement_text, submission_text

    d = prog.data
    html = _ENV.get_template("programme.html").render(
        t=STRINGS[lang], lang=lang, prog=prog, doc=d["document"], conditions=d.get("conditions", []),
        materials=[(m, requirement_text(m, lang)) for m in prog.materials],
        quotas=d.get("quotas", []), deadlines=d.get("deadlines", []), contacts=contact_lines(prog.contacts),
        submission=submission_text(prog.submission) if prog.submission else "",
        units=bool(any(f.get("filter_by") for f in prog.forms)),
        questions=[q for q in questions(prog) if not q.from_form])
    return HTMLResponse(html)
