"""Command line: parse arguments, call one core function, render its result.

Heavy libraries (openpyxl, docx, pypdf, reportlab, calamine, jsonschema) are imported inside the
commands, so `zonekit --help` stays fast. Every `ZonekitError` is caught once in `main()`.
The annotations are not postponed (no `from __future__ import annotations`): typer reads every
command's parameters at start-up, and evaluating them as strings took a fifth of `--help`.
"""

import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from zonekit import __version__
from zonekit.errors import ZonekitError

app = typer.Typer(
    name="zonekit",
    help="准备并检查申报材料（申报表、信息表、申请报告、证明材料）。Prepare and check application packets.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
programs_app = typer.Typer(help="列出已知的申报项目；show ID 查看申报条件和材料。List programmes.",
                           add_completion=False)
app.add_typer(programs_app, name="programs")

TemplatesOpt = Annotated[
    str | None,
    typer.Option("--templates", envvar="ZONEKIT_TEMPLATES", help="项目规范目录（默认为内置 templates）。Spec folder."),
]
LangOpt = Annotated[str, typer.Option("--lang", help="输出语言 zh|en。Message language.")]
FormatOpt = Annotated[str, typer.Option("--format", help="输出格式 text|json。Output format.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zonekit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool,
                       typer.Option("--version", callback=_version, is_eager=True,
                                    help="显示版本。Show version.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整 traceback。Show tracebacks.")] = False,
) -> None:
    if debug:
        os.environ["ZONEKIT_DEBUG"] = "1"


def _root_dir(templates: str | None) -> Path:
    from zonekit.spec.programme import templates_root

    return templates_root(templates)


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise typer.BadParameter(f"{name} 只能是 {' / '.join(allowed)}（{name} must be {' or '.join(allowed)}）")


@programs_app.callback(invoke_without_command=True)
def programs_list(
    ctx: typer.Context,
    templates: TemplatesOpt = None,
    fmt: FormatOpt = "text",
    lang: LangOpt = "zh",
) -> None:
    """列出申报项目（id、名称、发文单位、截止日期）。"""
    if ctx.invoked_subcommand:
        return
    from zonekit import terminal
    from zonekit.spec.programme import list_programmes, load_programme

    root = _root_dir(templates)
    progs = [load_programme(p, root) for p in list_programmes(root)]
    terminal.programmes(progs, fmt=fmt, lang=lang)


@programs_app.command("show")
def programs_show(
    programme: Annotated[str, typer.Argument(help="项目 id，如 sz-building")],
    templates: TemplatesOpt = None,
    fmt: FormatOpt = "text",
    lang: LangOpt = "zh",
) -> None:
    """显示一个项目的申报条件、材料清单、名额和截止日期。"""
    from zonekit import terminal
    from zonekit.spec.programme import load_programme

    terminal.programme_detail(load_programme(programme, _root_dir(templates)), fmt=fmt, lang=lang)


@app.command()
def init(
    programme: Annotated[str, typer.Argument(help="项目 id，如 sz-building（见 zonekit programs）")],
    directory: Annotated[Path, typer.Argument(help="要创建的材料包目录")],
    force: Annotated[bool, typer.Option("--force", help="目录非空时只补齐缺少的文件，绝不改动已有文件")] = False,
    unit: Annotated[str | None,
                    typer.Option("--unit",
                                 help="报送单位（如 嘉兴市政府）：表单只含该单位负责的行，并写入 packet.toml")] = None,
    no_input: Annotated[bool,
                        typer.Option("--no-input", help="不提问：未给出的答案用默认值（没有终端时也是如此）")] = False,
    data: Annotated[list[str] | None,
                    typer.Option("--data",
                                 help="答案 键=值，可重复，如 applicant.name=某某公司"
                                      "（键见 programs show ID --format json）")] = None,
    data_file: Annotated[Path | None, typer.Option("--data-file", help="答案文件（TOML 或 JSON）")] = None,
    lang: LangOpt = "zh",
    templates: TemplatesOpt = None,
) -> None:
    """创建材料包：在终端逐项询问申报信息，写入材料清单（申报信息表）、
    按材料编号的目录、官方表格（xlsx）和 Word 模板。"""
    from zonekit import terminal
    from zonekit.ask import from_data, interview
    from zonekit.scaffold import init_packet
    from zonekit.spec.programme import load_programme

    _check_choice("--lang", lang, ("zh", "en"))
    prog = load_programme(programme, _root_dir(templates))
    answers = from_data(prog, data or [], data_file)
    if not no_input and sys.stdin.isatty() and sys.stdout.isatty():  # never waits for input in CI or a pipe
        answers = interview(prog, answers, lang=lang)
    terminal.init_result(prog, init_packet(prog, directory, force=force, unit=unit, answers=answers), lang)


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="材料包目录")],
    fmt: FormatOpt = "text",
    lang: LangOpt = "zh",
    as_of: Annotated[str | None, typer.Option("--as-of", help="以此日期（YYYY-MM-DD）计算截止日期，默认今天")] = None,
    templates: TemplatesOpt = None,
) -> None:
    """检查材料包：表单格式、表间一致性、申报条件、材料齐全、截止日期。退出码 0=无错误 1=有错误 2=无法读取。"""
    _check_choice("--format", fmt, ("text", "json"))
    _check_choice("--lang", lang, ("zh", "en"))
    from zonekit import terminal
    from zonekit.check.runner import check_packet

    gc.disable()  # this process ends after one check: see check_packet on why collecting would be wasted work
    report = check_packet(directory, templates=_root_dir(templates), as_of=_parse_date(as_of))
    terminal.check_report(report, fmt=fmt, lang=lang)
    _exit_now(0 if report.ok else 1)


def _exit_now(code: int) -> None:
    """Exit without tearing the interpreter down: freeing a big check's million objects one by one
    takes a noticeable part of its run. Only for commands that leave no files, temporary
    directories or threads behind (check does not write at all)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@app.command()
def schema(
    programme: Annotated[str, typer.Argument(help="项目 id")],
    form: Annotated[str | None, typer.Option("--form", help="只输出某个表单的 schema")] = None,
    templates: TemplatesOpt = None,
) -> None:
    """输出由项目规范生成的表单 JSON Schema（draft 2020-12）。"""
    import json

    from zonekit.spec.form_schema import form_schemas
    from zonekit.spec.programme import load_programme

    schemas = form_schemas(load_programme(programme, _root_dir(templates)))
    if form:
        if form not in schemas:
            raise typer.BadParameter(f"没有表单 {form}；可选：{', '.join(schemas)}"
                                     f"（no form {form}; the forms are listed）")
        schemas = {form: schemas[form]}
    typer.echo(json.dumps(schemas, ensure_ascii=False, indent=2))


@app.command()
def bundle(
    directory: Annotated[Path, typer.Argument(help="材料包目录")],
    out: Annotated[Path | None,
                   typer.Option("-o", "--out", help="输出目录（默认：材料包旁的 <目录名>-申报材料）")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="有错误也生成，每页加“草稿 — 未通过检查”水印")] = False,
    when: Annotated[str | None,
                    typer.Option("--date",
                                 help="申报日期 YYYY-MM-DD（默认今天；也可用 SOURCE_DATE_EPOCH）；"
                                      "相同输入和日期生成完全相同的文件")] = None,
    font: Annotated[str | None, typer.Option("--font", help="中文字体文件路径（.ttf/.ttc），默认自动查找")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="LibreOffice 转换超时（秒）")] = 120,
    templates: TemplatesOpt = None,
    lang: LangOpt = "zh",
) -> None:
    """生成申报材料：封面、目录、各项材料（表单、PDF、图片、Word），输出 PDF、Word 和 manifest.json。"""
    from zonekit import terminal
    from zonekit.bundle.build import build_bundle, bundle_date

    _check_choice("--lang", lang, ("zh", "en"))
    _parse_date(when)
    target = out or directory.resolve().parent / f"{directory.resolve().name}-申报材料"
    with terminal.progress(lang) as tick:
        result = build_bundle(directory, target, draft=draft, date=bundle_date(when), templates=_root_dir(templates),
                              font=font, progress=tick, timeout=timeout)
    terminal.bundle_result(result, lang)


@app.command()
def verify(
    out: Annotated[Path, typer.Argument(help="zonekit bundle 的输出目录（含 manifest.json）")],
    packet: Annotated[Path | None, typer.Option("--packet", help="材料包目录（默认用 manifest 中记录的路径）")] = None,
    lang: LangOpt = "zh",
) -> None:
    """核对打包后文件是否被改动：重新计算 manifest.json 中每个输入和输出文件的 SHA-256。退出码 0=一致 1=有改动。"""
    from zonekit import terminal
    from zonekit.bundle.build import verify as verify_bundle

    _check_choice("--lang", lang, ("zh", "en"))
    result = verify_bundle(out, packet)
    terminal.verify_result(result, lang)
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def collect(
    paths: Annotated[list[Path],
                     typer.Argument(help="材料包目录、存放多个材料包的目录，或材料包的 zip 压缩包（可多个）")],
    out: Annotated[Path | None,
                   typer.Option("-o", "--out", help="汇总表 xlsx 文件，如 汇总.xlsx（--format json 时可省略）")] = None,
    fmt: FormatOpt = "text",
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="同时检查的进程数（默认 1）")] = 1,
    as_of: Annotated[str | None, typer.Option("--as-of", help="以此日期（YYYY-MM-DD）检查截止日期等，默认今天")] = None,
    templates: TemplatesOpt = None,
    lang: LangOpt = "zh",
) -> None:
    """汇总多个材料包（受理部门用）：逐个检查，找出跨材料包的冲突，生成核查表和名额统计。
    退出码 0=已汇总 2=没有可读取的材料包。"""
    _check_choice("--format", fmt, ("text", "json"))
    _check_choice("--lang", lang, ("zh", "en"))
    if out is None and fmt == "text":
        raise typer.BadParameter("请用 -o 指定汇总表文件，如 -o 汇总.xlsx"
                                 "（give the workbook to write with -o, e.g. -o 汇总.xlsx）")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"汇总表应为 .xlsx 文件：{out}（the workbook must be an .xlsx file）")
    from zonekit import terminal

    day = _parse_date(as_of)
    with terminal.progress(lang) as tick:
        options = {"templates": _root_dir(templates), "jobs": jobs, "as_of": day, "progress": tick}
        if out is not None:  # the workbook is written while the packets are checked
            from zonekit.collect.workbook import collect_workbook

            result = collect_workbook(out, paths, **options)
        else:
            from zonekit.collect import collect as collect_packets

            result = collect_packets(paths, **options)
    terminal.collect_result(result, fmt, workbook=out, lang=lang)
    raise typer.Exit(0 if result.read else 2)


@app.command()
def serve(
    port: Annotated[int,
                    typer.Option("--port", min=0, max=65535,
                                 help="端口（默认 8765，被占用时自动另选；0=任选）")] = 8765,
    host: Annotated[str,
                    typer.Option("--host",
                                 help="监听地址（默认 127.0.0.1 只限本机；其他地址会打印警告）")] = "127.0.0.1",
    no_browser: Annotated[bool, typer.Option("--no-browser", help="不自动打开浏览器")] = False,
    templates: TemplatesOpt = None,
) -> None:
    """在本机网页上使用 zonekit（准备、检查、打包、汇总）：打印带令牌的链接并打开浏览器，Ctrl-C 停止。"""
    from zonekit.serve import run

    run(host=host, port=port, open_browser=not no_browser, templates=_root_dir(templates) if templates else None,
        echo=lambda text, file=None: typer.echo(text, err=file is not None))


def _parse_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"日期应为 YYYY-MM-DD：{text}（a date is written YYYY-MM-DD）") from None


def _argv_lang() -> str:
    """The --lang the command line asked for, to say an error in (the command did not get to return)."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return "zh"


def main() -> None:
    try:
        rc = app(standalone_mode=False)
        sys.exit(rc if isinstance(rc, int) else 0)
    except ZonekitError as e:
        print(f"zonekit: {e.text(_argv_lang())}", file=sys.stderr)
        sys.exit(e.exit_code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except typer.Abort:
        print("zonekit: " + ("cancelled" if _argv_lang() == "en" else "已取消"), file=sys.stderr)
        sys.exit(130)
    except Exception as e:  # click usage errors (typer vendors click) and anything unexpected
        show, code = getattr(e, "show", None), getattr(e, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        if os.environ.get("ZONEKIT_DEBUG"):
            raise
        said = ("internal error {}: {} (add --debug for the details, and please report it)" if _argv_lang() == "en"
                else "内部错误 {}: {}（加 --debug 查看详情，并请反馈）")
        print("zonekit: " + said.format(type(e).__name__, e), file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
