"""The one findings model every check yields, and the table of stable finding codes.

A stage says *what* is wrong: a `Problem`, a code with its parameters. The runner says *where*
(file, sheet, cell, field, source) and turns each problem into a `Finding`, data that the CLI and
the web page print: the message in Chinese and English, rendered once from the code's templates
in `CODES`, and the code's default severity unless the stage chose another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, NamedTuple, TypedDict

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


class Said(NamedTuple):
    """One sentence zonekit says outside the findings (a bundle's warning, a collect row's reason), in
    Chinese and English; the printer picks one with `text(lang)`."""

    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Code:
    """A finding code: its default severity, what it means (the README table's columns) and the
    zh/en templates of its messages and hints, by variant name ("" for the only or usual one)."""

    severity: str
    zh: str
    en: str
    messages: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    hints: Mapping[str, tuple[str, str]] = field(default_factory=dict)


# a message carried whole from where it was written (the cell-value parser's sentences)
_TEXT = {"text": ("{zh}", "{en}")}
_IN_FILE = {"in_file": ("{rel}：{zh}", "{rel}: {en}")}  # a workbook's problem, said of its place in the packet
_MORE = {"more": ("“{label}”列另有 {extra} 处同类问题（共 {n} 处），只列出前 {max} 处",
                  "“{label}”: {extra} more of the same ({n} in all)")}
_CELL = {**_TEXT, **_MORE}
_INIT_HINT = ("运行 zonekit init --force 本目录 可补回空白表单（不会改动已有文件）",
              "run zonekit init --force on this folder to put back the blank forms (files already there are left "
              "alone)")
_SAVE_HINT = ("用 Excel 或 WPS 打开并保存一次即可", "open and save it once in Excel or WPS")
_RECOMMENDED = "zonekit 建议提供，通知未要求，缺少不作为错误"
_PASSWORD = "设置了打开密码（已加密），zonekit 无法读取：请在 Excel/WPS 中取消密码后另存为 .xlsx"
_NOT_OFFICE = ("{rel} 已损坏或不是 Office 文件（可能是改了扩展名）",
               "{rel}: is corrupt or not an Office file (renamed file?)")

# Stable codes (documented in README.md, whose table shows `zh` and `en`; tests pin them).
CODES: dict[str, Code] = {
    "packet_invalid": Code(ERROR, "packet.toml 缺失、无法读取或内容不合规",
                           "packet.toml missing, unreadable or invalid"),
    "packet_field": Code(
        ERROR, "申报信息（材料清单.xlsx 的“申报信息”表，旧版为 packet.toml）中的申报单位信息、申报路径或确认事项有误",
        "an answer (applicant, claim, attestation) in 申报信息 (or an old packet.toml) is wrong",
        {"legacy": ("本材料包的申报信息写在 packet.toml 中（旧版 zonekit 生成），仍照常读取；新版 zonekit init "
                    "把申报信息放在 材料清单.xlsx 的“申报信息”表中，在 WPS/Excel 中即可修改",
                    "this packet keeps its answers in packet.toml (made by an older zonekit); they are read as before"),
         "invalid": ("{name}填写为“{raw}”，{problem}", "{name_en} is “{raw}”: {problem_en}"),
         "from_form": ("{name}未填写：{form}没有提供时，请在申报信息中填写",
                       "{name_en} is empty: {form} is not there to give it, so fill it in on the sheet"),
         "not_allowed": ("{name}应为以下之一：{values}", "{name_en} must be one of {values_en}"),
         "applicant": ("{name}：{zh}", "{name_en}: {en}"),
         "claim": ("{name} = {shown} 无效；可选：{allowed}",
                   "{name_en} = {shown_en} is not valid; choose {allowed_en}"),
         "attestation": ("{name}只能是“是”或“否”", "{name_en} must be yes (是) or no (否)"),
         "attestation_toml": ("{name}只能是“是”或“否”（true 或 false，不加引号）",
                              "{name_en} must be true or false, without quotes"),
         "claimed_path": ("申报信息中选择以“{title}”申报，但该项未满足（{detail}）；满足的是：{met}",
                          "the path chosen on the sheet 申报信息, “{title_en}”, is not met ({detail_en}); "
                          "met: {met_en}"),
         "claimed_path_toml": ("packet.toml 中选择以“{title}”申报，但该项未满足（{detail}）；满足的是：{met}",
                               "the path chosen in packet.toml, “{title_en}”, is not met ({detail_en}); "
                               "met: {met_en}"),
         "deadline": ("[packet] deadline “{value}” 不是 YYYY-MM-DD 格式的日期",
                      "[packet] deadline is not a YYYY-MM-DD date")},
        {"sheet": ("在 材料清单.xlsx 的“申报信息”表中填写", "fill it in on the sheet 申报信息 of 材料清单.xlsx"),
         "toml": ("在 packet.toml 中填写", "fill it in in packet.toml"),
         "claimed_path": ("在 材料清单.xlsx 的“申报信息”表中改选满足的一项，所需材料会随之变化",
                          "choose a path that holds on the sheet 申报信息 of 材料清单.xlsx; the materials needed "
                          "change with it"),
         "claimed_path_toml": ("把 packet.toml [claims] {claim} 改为满足的一项，所需材料会随之变化",
                               "set packet.toml [claims] {claim} to a path that holds; the materials needed change "
                               "with it")}),
    "spec_changed": Code(
        WARNING, "packet 创建后项目规范已变更", "the programme spec changed since the packet was created",
        {"": ("本材料包创建后，“{programme}”的项目规范已更新（创建时版本 {was}，现为 {now}，内容校验值不同），"
              "表单或条件可能已变化",
              "the programme spec changed since this packet was created")},
        {"": ("用 zonekit init 新建一个材料包对照表单是否有变化",
              "make a new packet with zonekit init and compare its forms")}),
    "form_ambiguous": Code(
        ERROR, "有多个文件都是同一张表单，无法确定读哪一个（逐个列出）",
        "several files are the same form; each is named",
        {"": ("有 {n} 个文件都是“{name}”：{names}，zonekit 不知道该读哪一个", "{n} files are “{name}”: {names}")},
        {"": ("只保留填好的那一份，其他的删去或移出材料包",
              "keep the copy that is filled in; delete the others or move them out of the packet")}),
    "form_elsewhere": Code(
        WARNING, "表单放在了其他材料的目录中（照常读取，警告）",
        "a form is in another material's folder (read; a warning)",
        {"": ("“{name}”放在了 {where} 目录，应放在 {folder} 目录", "“{name}” is in {where}, not in {folder}")},
        {"": ("把文件移到 {folder} 目录", "move the file to {folder}")}),
    "file_missing": Code(
        ERROR, "表单文件缺失", "a form file is missing",
        {"form": ("缺少表单文件 {rel}", "form file {rel} is missing"),
         "listed": ("第{row}行“{label}”所列文件“{name}”不在 {folder} 目录中",
                    "row {row}: file “{name}” is not in {folder}"),
         "no_workbook": ("缺少“{name}”（{folder} 目录中没有工作簿）", "“{name}” is missing: no workbook in {folder}"),
         "no_workbook_packet": ("缺少“{name}”（材料包 目录中没有工作簿）",
                                "“{name}” is missing: no workbook in the packet"),
         "none_is": ("找不到“{name}”：目录中的 {names} 都不是这张表", "none of {names} is “{name}”")},
        {"init": _INIT_HINT,
         "listed": ("把该文件放入对应目录，或改正文件名", "put the file in that folder, or correct its name"),
         "none_is": ("请使用 zonekit init 生成的表格填写", "fill in the forms zonekit init made")}),
    "file_unreadable": Code(
        ERROR, "文件损坏、加密、格式不对或无法读取", "a file is corrupt, encrypted, of the wrong type or unreadable",
        {"folder": ("{rel} 目录无法打开：{error}", "{rel}: the folder cannot be opened: {error}"),
         "image": ("{rel} 图片无法解码（文件损坏或不是图片），请重新扫描",
                   "{rel}: does not decode as an image (corrupt, or not an image); scan it again"),
         "ooxml_ole": ("{rel} 已加密或是旧版格式，请取消密码并另存为新版格式（.docx/.xlsx）",
                       "{rel}: is encrypted or a legacy format; remove the password and save it in the new format "
                       "(.docx/.xlsx)"),
         "not_office": _NOT_OFFICE,
         "entities": ("{rel} 的 {member} 含有 XML 实体声明（<!ENTITY>，Word/Excel/WPS 不会写出，可能是恶意文件），"
                      "zonekit 拒绝读取",
                      "{rel}: {member} declares XML entities (never written by Word/Excel/WPS); refused"),
         "template": ("{rel} 仍含模板中的“填写说明”，请按说明写完并删除提示文字",
                      "{rel} still contains the template's guidance text; finish it as the guidance says and delete "
                      "the guidance"),
         "not_pdf": ("{rel} 不是 PDF 文件（可能是改了扩展名），请重新导出为 PDF",
                     "{rel}: is not a PDF (renamed file?); export it as PDF again"),
         "pdf_password": ("{rel} 已加密（设置了打开密码），请导出无密码的 PDF",
                          "{rel}: is encrypted with a password; export a PDF without a password"),
         "pdf_encrypted": ("{rel} 已加密且无法解密，请导出无密码的 PDF",
                           "{rel}: is encrypted and cannot be decrypted; export a PDF without a password"),
         "pdf_no_pages": ("{rel} 没有任何页面", "{rel}: has no pages"),
         "pdf_corrupt": ("{rel} 已损坏，无法打开（{error}），请重新扫描或导出",
                         "{rel}: is corrupt and cannot be opened ({error}); scan or export it again"),
         "open": ("{name} 无法打开：{error}", "{name} cannot be opened: {error}"),
         "password": ("{name} " + _PASSWORD, "{name} is password-protected; remove the password and save as .xlsx"),
         "password_other": ("{name} " + _PASSWORD,
                            "{name} is password-protected; remove the password in Excel/WPS and save it as .xlsx"),
         "not_xlsx": ("{name} 不是 Excel 工作簿（可能是改了扩展名的其他文件），请用 Excel/WPS 另存为 .xlsx",
                      "{name} is not an .xlsx workbook (renamed file?); save it as .xlsx in Excel/WPS"),
         "corrupt_zip": ("{name} 已损坏（不是完整的 .xlsx 文件），请重新保存或重新下载",
                         "{name} is corrupt (not a complete .xlsx file); save or download it again"),
         "zip_bomb": ("{name} 内的 {member} 压缩比异常（疑似压缩炸弹），zonekit 拒绝读取",
                      "{name}: {member} has an abnormal compression ratio (zip bomb?)"),
         "entities_xlsx": ("{name} 的 {member} 含有 XML 实体声明（<!ENTITY>，Excel/WPS 不会写出，可能是恶意文件），"
                           "zonekit 拒绝读取",
                           "{name}: {member} declares XML entities (never written by Excel/WPS); refused"),
         "text_document": ("{name} 是 Word/文字文档，不是工作簿", "{name} is a text document, not a workbook"),
         "no_workbook_xml": ("{name} 不是 Excel 工作簿（缺少 xl/workbook.xml）", "{name} is not an Excel workbook"),
         "sheet": ("{name} 的工作表“{sheet}”无法读取：{error}", "sheet “{sheet}” of {name} cannot be read: {error}"),
         "sheet_corrupt": ("{name} 已损坏（工作表“{sheet}”的数据无法解压），请重新保存或重新下载",
                           "{name} is corrupt (the data of sheet “{sheet}” cannot be unpacked); save or download it "
                           "again"),
         "damaged": ("{name} 结构损坏：{error}", "{name} is damaged: {error}"),
         "unreadable": ("{name} 无法读取：{error}", "{name} cannot be read: {error}"),
         "other_kind": ("{name} 无法读取（{kind} 格式）：{error}；请用 Excel/WPS 另存为 .xlsx",
                        "{name} cannot be read ({kind}): {error}"),
         **_IN_FILE}),
    "file_too_large": Code(
        ERROR, "文件过大，超出读取上限", "a file exceeds the size zonekit reads",
        {"folder_count": ("{rel} 中的文件超过 {max:,} 个，zonekit 不再逐个检查，也不会打包其余文件："
                          "请核对是否放错了目录",
                          "{rel} holds more than {max:,} files; the rest are neither checked nor bundled: check "
                          "whether files went into the wrong folder"),
         "file": ("{rel} 有 {mb} MB，请压缩后再放入（建议单个文件不超过 200 MB）", "{rel} is {mb} MB; compress it "
                 "before putting it in (200 MB at most per file is advised)"),
         "ole": ("{name} 约 {mb} MB，超过读取上限 {limit} MB", "{name} is {mb} MB, above the {limit} MB limit"),
         "zip": ("{name} 解压后约 {mb} MB，超过读取上限 {limit} MB：请删除多余的空行/格式后重新保存",
                 "{name} is {mb} MB uncompressed, above the {limit} MB limit: delete the unused rows and formatting "
                 "and save it again"),
         "extent": ("{name} 的工作表“{sheet}”一直延伸到 {last} 单元格（约 {wan} 万个单元格），超过读取上限："
                    "请删除表格下方或右侧多余的内容后重新保存",
                    "sheet “{sheet}” of {name} extends to {last} ({cells} cells), too large to read: delete what lies "
                    "below or to the right of the table and save it again"),
         **_IN_FILE}),
    "file_type": Code(
        ERROR, "文件类型不被接受", "a file type is not accepted",
        {"": ("{rel} 的类型 .{ext} 不被接受；本材料接受：{types}", "{rel}: type .{ext} not accepted here ({types})"),
         "no_ext": ("{rel} 的类型 .（无扩展名） 不被接受；本材料接受：{types}",
                    "{rel}: type . not accepted here ({types})"),
         "legacy": ("{rel} 是 WPS 专有格式（.{ext}），请另存为 .{new} 或 PDF",
                    "{rel} is a WPS-only format; save it as .{new} or PDF")}),
    "file_empty": Code(
        ERROR, "空文件（0 字节）", "an empty (0-byte) file",
        {"": ("{rel} 是空文件（0 字节），请重新扫描或导出", "{rel} is empty (0 bytes); scan or export it again"),
         "workbook": ("{name} 是空文件（0 字节），请重新保存", "{name} is empty (0 bytes); save it again"),
         **_IN_FILE}),
    "file_special": Code(
        WARNING, "不是普通文件（管道、套接字、设备），不读取、不打包",
        "not a regular file (FIFO, socket, device): never opened, not bundled",
        {"": ("{rel} 不是普通文件（管道、套接字或设备），zonekit 不读取它，打包时也不包含",
              "{rel} is not a regular file (FIFO, socket or device); not read, not bundled")}),
    "file_name": Code(
        WARNING, "路径过长（Windows 260 字符限制）或文件名以“-”开头",
        "a path too long for Windows (260) or a name starting with '-'",
        {"long": ("{head}… 的路径有 {n} 个字符：复制到 Windows 的其他文件夹或解压时可能超过 260 个字符的限制，"
                  "请改短文件名",
                  "{head}…: the path is {n} characters, beyond what Windows copies reliably (260 with its folder)"),
         "dash": ("{rel} 的文件名以“-”开头，在命令行中会被当作选项，请改名",
                  "{rel}: the name starts with '-', which command lines read as an option")}),
    "pdf_active": Code(
        WARNING, "PDF 含脚本、附件或启动动作（打包时删除）",
        "a PDF carries JavaScript, attached files or launch actions (removed when bundling)",
        {"": ("{rel} 含有{what_zh}：打包时会删除，请确认删除后内容完整",
              "{rel} carries {what_en}; they are removed when bundling")}),
    "pdf_fonts": Code(
        WARNING, "PDF 的字体没有嵌入，打印时可能被替换或印成空白（列出字体名）",
        "a PDF's fonts are not embedded (named); printing may substitute them or show blanks",
        {"": ("{rel} 的字体 {names_zh} 没有嵌入：印刷时会被替换，附入的页面可能印成空白或乱码；请导出 PDF "
              "时选择“嵌入字体”",
              "{rel}: fonts {names_en} are not embedded; printed pages may come out blank or wrong"),
         "many": ("{rel} 的字体 {names_zh} 等 {n} 种 没有嵌入：印刷时会被替换，附入的页面可能印成空白或乱码；请导出 "
                  "PDF 时选择“嵌入字体”",
                  "{rel}: fonts {names_en} are not embedded; printed pages may come out blank or wrong")}),
    "unsafe_path": Code(
        ERROR, "符号链接或指向材料包以外的路径（不跟随）",
        "a symlink or a path leading outside the packet (not followed)",
        {"symlink": ("{rel} 是符号链接（快捷方式），zonekit 不跟随；请放入真实文件",
                     "{rel} is a symlink; zonekit does not follow it"),
         "folder": ("{rel} 是符号链接，zonekit 不跟随", "{rel} is a symlink"),
         "form": ("{error}", "the form path is a symlink or leads outside the packet")}),
    "sheet_missing": Code(
        ERROR, "找不到表单所在的工作表", "the form's sheet cannot be found",
        {"record": ("找不到“{title}”所在的工作表（表单被删除或改动过大），请使用 zonekit init 生成的表格重新填写",
                    "cannot find the sheet of {title}"),
         "table": ("找不到“{title}”的表头（{labels}…），请使用 zonekit init 生成的表格填写，勿改动表头",
                   "cannot find the header row of {title}")}),
    "header_missing": Code(
        ERROR, "找不到表头或表头列缺失", "the table header or one of its columns is missing",
        {"field": ("表单中找不到“{label}”一栏，请勿删除或改写表格中的项目名称",
                   "field “{label}” not found in the form"),
         "column": ("表头缺少“{label}”列，请勿删除或改写表头", "header column “{label}” is missing")}),
    "row_missing": Code(
        ERROR, "指标表缺少规定的指标行", "an indicator row required by the form is missing",
        {"": ("缺少指标行“{text}”，请勿删除指标行", "indicator row “{text}” is missing")}),
    "row_unknown": Code(
        WARNING, "指标表中有不属于本表的行", "a row that is not one of the form's indicators",
        {"": ("第{row}行“{text}”不是本表规定的指标，请勿增改指标名称",
              "row {row} is not one of the form's indicators")}),
    "row_not_responsible": Code(
        ERROR, "填报了责任单位不含本单位的行", "a row filled by a unit that is not responsible for it",
        {"": ("第{row}行“{name}”的责任单位为{units}，不含报送单位“{unit}”，本单位不应填报此行",
              "row {row} (“{name}”) is not the responsibility of the reporting unit “{unit}”")},
        {"": ("删除本行已填的数据（由责任单位报送），或核对报送单位（材料清单.xlsx“申报信息”表中的责任单位，"
              "或 zonekit init --unit 写入 packet.toml 的单位）",
              "delete what this row holds (its responsible unit reports it), or check the reporting unit (the "
              "responsible unit on the sheet 申报信息 of 材料清单.xlsx, or the one init --unit wrote to "
              "packet.toml)")}),
    "progress_behind": Code(
        WARNING, "指标进度落后于从基期到目标的直线进度",
        "an indicator is behind the straight path from its baseline to its target",
        {"": ("{detail}", "“{indicator}” is behind the straight path to its target")},
        {"": ("在年度进展报告“存在问题和下一步工作”中说明原因和措施",
              "explain the causes and the measures under 存在问题和下一步工作 in the annual progress report")}),
    "field_missing": Code(
        ERROR, "必填项为空", "a required field is empty",
        {"": ("“{label}”未填写", "“{label}” is empty"),
         "responsible": ("“{name}”由本单位负责，未填写“{label}”",
                         "“{name}” is the unit's responsibility; “{label}” is empty"),
         "year": ("“{indicator}”{year}年实际值未填写（报告年度为{year}年）",
                  "“{indicator}”: no value for {year} (report year {year})"),
         "years": ("“{indicator}”为“{word}”指标，需要{first}—{report}年各年数值，{year}年未填写",
                   "“{indicator}”: no value for {year} (report year {report})"),
         **_CELL},
        {"year": ("填写该年度的实际值；确无数据的，在“数据来源及说明”中写明原因并向联席会议办公室说明",
                  "fill in the year's actual value; where there is none, say why under 数据来源及说明 and tell the "
                  "joint-meeting office")}),
    "value_type": Code(
        ERROR, "数值、日期或是/否无法识别", "a number, date or yes/no cannot be read",
        {"total": ("合计行“{label}”不是数字：{raw}", "total of “{label}” is not a number"), **_CELL}),
    "value_ambiguous": Code(ERROR, "数值或日期含义不明确", "a number or date is ambiguous", _CELL),
    "value_range": Code(
        ERROR, "数值或日期超出允许范围", "a value is out of range",
        {"below": ("“{label}”为 {value:g}{unit}，不应小于 {low:g}{unit}", "“{label}” is {value:g}, below {low:g}"),
         "above": ("“{label}”为 {value:g}{unit}，不应大于 {high:g}{unit}", "“{label}” is {value:g}, above {high:g}"),
         "before": ("“{label}”{value} 早于 {low}，请核对", "“{label}” {value} is before {low}"),
         "after": ("“{label}”{value} 晚于 {high}，请核对", "“{label}” {value} is after {high}"),
         "after_today": ("“{label}”{value} 晚于今天（不能是将来的日期），请核对", "“{label}” {value} is after {high}"),
         "after_year": ("“{indicator}”已填写{year}年实际值，但报告年度为{report}年",
                        "“{indicator}” has a value for {year}, after the report year {report}"), **_CELL},
        {"after_year": ("核对 材料清单.xlsx“申报信息”表中的“报告年度”，或删除尚未发生年度的数值",
                        "check the report year on the sheet 申报信息 of 材料清单.xlsx, or delete the values of years "
                        "still to come"),
         # a packet made before 申报信息 existed keeps its report year in packet.toml
         "after_year_legacy": ("核对 packet.toml [applicant] 中的 report_year（报告年度），或删除尚未发生年度的数值",
                               "check report_year under [applicant] in packet.toml, or delete the values of years "
                               "still to come")}),
    "value_choice": Code(
        ERROR, "不是允许的选项", "a value is not one of the allowed choices",
        {"": ("“{label}”填写为“{value}”，应为以下之一：{allowed_zh}",
              "“{label}” is “{value}”; expected one of {allowed_en}"),
         **_CELL}),
    "uscc_invalid": Code(ERROR, "统一社会信用代码不合规（长度、字符或校验位）",
                         "unified social credit code invalid (length, characters or check digit)", _CELL),
    "uscc_form": Code(WARNING, "统一社会信用代码含小写字母、空格或全角字符（按大写半角读取，警告）",
                      "credit code in lower case, with spaces or full-width (read as canonical; a warning)", _CELL),
    "phone_invalid": Code(ERROR, "电话号码格式不对", "phone number format is wrong", _CELL),
    "email_invalid": Code(ERROR, "邮箱格式不对", "email format is wrong", _CELL),
    "duplicate_value": Code(
        ERROR, "同一企业名称或统一社会信用代码重复出现", "the same enterprise name or credit code appears twice",
        {"": ("“{label}”“{value}”与第{first}行重复", "“{label}” “{value}” repeats row {first}"), **_MORE},
        {"": ("同一企业只应填写一行；如确为两家企业，请核对名称和统一社会信用代码",
              "one enterprise takes one row; if they really are two, check their names and credit codes")}),
    "formula_uncached": Code(
        WARNING, "公式没有计算结果（文件未经 Excel/WPS 保存）",
        "a formula has no cached value (file never saved by Excel/WPS)",
        {"field": ("“{label}”的公式“={formula}”没有计算结果（文件未经 Excel/WPS 保存），无法读取数值",
                   "“{label}”: the formula has no cached value"),
         "total": ("合计单元格的公式“={formula}”没有计算结果（文件未经 Excel/WPS 保存），zonekit 按明细计算为 {want:g}",
                   "the total formula has no cached value; computed {want:g} from the rows")},
        {"": _SAVE_HINT}),
    "number_as_text": Code(
        WARNING, "数字按文本保存，Excel/WPS 求和时不计入", "a number saved as text, which Excel/WPS leave out of sums",
        {"": ("“{label}”{value} 按文本保存，Excel/WPS 的求和不计入文本，用求和公式时不会计入合计",
              "“{label}” {value} is saved as text; Excel/WPS SUM leaves text out"),
         "uncounted": ("“{label}”{value} 按文本保存，Excel/WPS 的求和不计入文本，合计行没有计入它",
                       "“{label}” {value} is saved as text; Excel/WPS SUM leaves text out")},
        {"": ("选中该单元格，转换为数字（或设为“常规/数值”格式后重新输入），再核对合计",
              "select the cell and convert it to a number (or set it to General/Number and type it again), then check "
              "the total")}),
    "total_mismatch": Code(
        ERROR, "合计行与明细不一致", "the total row disagrees with the rows above it",
        {"after_total": ("第{row}行在“{label}”行之后仍有数据，请将合计行移到最后",
                         "row {row} comes after the total row"),
         "subtotal": ("{sub}行“{label}”为 {got}，按本组明细计算应为 {want}",
                      "subtotal of “{label}” is {got}; its rows add up to {want}"),
         "no_total": ("没有找到“{label}”行", "no “{label}” row found"),
         "total": ("合计行“{label}”为 {got}，按明细计算应为 {want}",
                   "total of “{label}” is {got}; the rows add up to {want}")},
        {"no_total": ("请保留表格末尾的“{label}”行", "keep the “{label}” row at the end of the table"),
         "total": ("合计应与各行之和完全一致（按合计所写的位数），请使用合计公式或更正合计数",
                   "the total must equal the sum of the rows (to the decimals it is written with): use a SUM formula "
                   "or correct it")}),
    "consistency": Code(
        ERROR, "表单之间的数字或名称不一致", "figures or names disagree across forms",
        {"": ("{label}不一致：{left_label} 为 {left_shown}，{right_label} 为 {right_shown}",
              "do not agree — {label_en}: {left_en} is {left_shown}, {right_en} is {right_shown}"),
         "row": ("{label}不一致：第{row}行为“{value}”，{right_label}为“{right_value}”",
                 "do not agree — {label_en}: row {row} is “{value}”, {right_en} is “{right_value}”"),
         "variant": ("{label}写法不同：第{row}行为“{value}”，{right_label}为“{right_value}”",
                     "written differently — {label_en}: row {row} is “{value}”, {right_en} is “{right_value}”")},
        {"": ("请核对两处数字，使其一致", "check the two figures and make them agree"),
         "variant": ("如是同一名称，建议统一写法", "if it is the same name, write it the same way in both")}),
    "condition_unmet": Code(
        ERROR, "未满足申报条件", "an eligibility condition is not met",
        {"": ("未满足“{title}”：{detail}", "not met: “{title_en}”: {detail_en}")}),
    "condition_in_principle": Code(
        WARNING, "未达到“原则上”的条件，需说明理由", "an 'in principle' threshold is missed; justification needed",
        {"": ("“{title}”未达到：{detail}（“原则上”条件，需说明理由）",
              "“{title_en}” missed: {detail_en} (an “in principle” condition: justify it)")}),
    "score_band": Code(
        WARNING, "自评分低于列入的档次（评估结果由专家确定，不是申报条件；警告）",
        "a self-assessed score below the listed bands (the experts decide; a warning)",
        {"": ("“{title}”：{detail}（按自评计算；档次由专家评估确定，不是申报条件）",
              "“{title_en}”: {detail_en} (self-assessed; the band is decided by the experts' evaluation, not an entry "
              "condition)")}),
    "condition_unknown": Code(
        WARNING, "缺少判断申报条件所需的数据", "data needed to evaluate a condition is missing",
        {"": ("无法判断“{title}”：{detail}", "cannot evaluate “{title_en}”: {detail_en}")},
        {"": ("先改正表单中的错误或补填数据", "correct the errors in the forms or fill in the missing data first")}),
    "attestation_missing": Code(
        ERROR, "资质条件尚未确认", "a qualification has not been attested",
        {"": ("尚未确认：{label}", "not attested yet: {label_en}")},
        {"sheet": ("情况属实的，在 材料清单.xlsx 的“申报信息”表 {cell} 中选“是”",
                   "if it is true, choose 是 in cell {cell} of the sheet 申报信息 of 材料清单.xlsx"),
         "toml": ("情况属实的，在 packet.toml 的 [attestations] 中将 {key} 改为 true",
                  "if it is true, set {key} = true in [attestations] of packet.toml")}),
    "material_missing": Code(
        ERROR, "缺少必需的申报材料", "a required material is missing",
        {"": ("缺少“{title}”目录", "“{title}” is missing"),
         "when": ("缺少“{title}”目录（{when}时需提供）", "“{title}” is missing (needed {when_en})")},
        {"": ("新建目录 {folder} 并放入材料，或运行 zonekit init --force 补齐",
              "make the folder {folder} and put the material in it, or run zonekit init --force")}),
    "material_empty": Code(
        ERROR, "材料目录为空", "a material folder is empty",
        {"": ("“{title}”目录为空：请放入材料文件", "“{title}” folder is empty"),
         "when": ("“{title}”目录为空（{when}时需提供）：请放入材料文件",
                  "“{title}” folder is empty (needed {when_en})"),
         "min": ("“{title}”至少需要 {min} 个文件，现有 {n} 个", "“{title}” needs at least {min} files")}),
    "material_recommended": Code(
        INFO, "zonekit 建议提供的材料（通知未要求）尚未提供（提示）",
        "a material zonekit recommends, not required by the notice, is not there (info)",
        {"dir": (f"“{{title}}”目录为空（{_RECOMMENDED}）",
                 "“{title}” folder is empty (recommended by zonekit, not required by the notice)"),
         "missing": (f"没有“{{title}}”目录（{_RECOMMENDED}）",
                     "“{title}” is not provided (recommended by zonekit, not required by the notice)")}),
    "stray_file": Code(
        INFO, "材料包中有不属于任何材料的文件", "a file that belongs to no material",
        {"file": ("{name} 不属于任何申报材料（文件），打包时不会包含",
                  "{name} belongs to no material and will not be bundled"),
         "dir": ("{name} 不属于任何申报材料（目录），打包时不会包含",
                 "{name} belongs to no material and will not be bundled"),
         "more": ("另有 {n:,} 个文件或目录不属于任何申报材料，打包时不会包含",
                  "{n:,} more entries belong to no material")}),
    "deadline": Code(INFO, "申报截止日期提示", "deadline reminder",
                     {"": ("距{label}（{day}）还有 {left} 天", "{left} days left — {label_en}, {day}")}),
    "deadline_passed": Code(
        WARNING, "已过申报截止日期", "the deadline has passed",
        {"": ("{label}（{day}）已过 {days} 天", "{days} days past — {label_en}, {day}")},
        {"": ("请向受理部门确认是否仍可报送", "ask the receiving office whether it still accepts applications")}),
    "internal_error": Code(ERROR, "zonekit 内部错误（请反馈）", "internal zonekit error (please report)"),
}

WHERE = ("file", "sheet", "cell", "field", "source", "rule")


@dataclass(frozen=True)
class Problem:
    """What a stage finds wrong: a code, the parameters its templates name, which of its messages
    (`variant`) and hints (`hint`, by default the variant's own) says it, and where, as far as the
    stage knows. Built only for what is wrong (a clean cell costs nothing); `at` lets the runner add
    what the stage did not know, and `finding` renders it once. `help` and `help_en` are the hint
    the spec writes (see `spec_help`), which wins over the template."""

    code: str
    params: Mapping[str, Any] | None = None
    variant: str = ""
    severity: str | None = None
    hint: str | None = None
    help: str | None = None
    help_en: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    source: str | None = None
    rule: str | None = None

    def __post_init__(self) -> None:
        if self.severity is None:  # the code's default: known from the start, so a stage can test it
            object.__setattr__(self, "severity", CODES[self.code].severity)

    def at(self, **where: str | None) -> Problem:
        """This problem with `where` (file, sheet, cell, field, source, rule) filled in where it says nothing."""
        missing = {k: v for k, v in where.items() if getattr(self, k) is None and v is not None}
        return self.replaced(**missing) if missing else self

    def replaced(self, **changes: Any) -> Problem:
        """A copy with `changes`, always a plain Problem (a subclass may construct itself differently)."""
        return Problem(**{**{f.name: getattr(self, f.name) for f in fields(Problem)}, **changes})

    def texts(self) -> tuple[str, str]:
        """The message in Chinese and English, from the code's templates."""
        zh, en = CODES[self.code].messages[self.variant]
        params = self.params or {}
        return zh.format_map(params), en.format_map(params)

    def finding(self) -> Finding:
        zh, en = self.texts()
        c = CODES[self.code]
        hint_zh, hint_en = c.hints.get(self.variant if self.hint is None else self.hint, (None, None))
        params = self.params or {}
        if self.help:
            hint_zh, hint_en = self.help, self.help_en
        else:
            hint_zh, hint_en = (t.format_map(params) if t else None for t in (hint_zh, hint_en))
        return Finding(self.code, self.severity or c.severity, zh, en, self.file, self.sheet, self.cell, self.field,
                       self.source, hint_zh, self.rule, hint_en)


class SpecHelp(TypedDict):
    help: str | None
    help_en: str | None


def spec_help(node: Mapping[str, Any], key: str = "help") -> SpecHelp:
    """The hint a spec entry writes (`help`, or `hint` for conditions and consistency rules) and its
    English twin (`help_en`, `hint_en`), as Problem's `help` and `help_en`."""
    return {"help": node.get(key) or None, "help_en": node.get(f"{key}_en") or None}


def findings(found: Iterable[Problem], **where: str | None) -> list[Finding]:
    """Each problem with `where` filled in where it says nothing, rendered once."""
    return [x.at(**where).finding() for x in found]


@dataclass(frozen=True)
class Finding:
    """A rendered problem: what the CLI prints and `check --format json` writes (a pinned contract)."""

    code: str
    severity: str
    message: str  # Chinese
    message_en: str = ""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    source: str | None = None
    hint: str | None = None  # Chinese
    rule: str | None = None
    hint_en: str | None = None
    source_en: str | None = None  # where the spec says the source in English (zonekit's own lists, readings)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undocumented finding code: {self.code}")

    def text(self, lang: str = "zh") -> str:
        return self.message_en or self.message if lang == "en" else self.message

    def hint_text(self, lang: str = "zh") -> str | None:
        """The hint in `lang`; where a spec wrote no English, its Chinese stands for both."""
        return self.hint_en or self.hint if lang == "en" else self.hint

    def source_text(self, lang: str = "zh") -> str | None:
        return self.source_en or self.source if lang == "en" else self.source

    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet and f"[{self.sheet}]", self.cell) if p]
        return " ".join(parts)

    def to_json(self, lang: str = "zh") -> dict[str, str | None]:
        d = asdict(self)
        d["message"], d["hint"] = self.text(lang), self.hint_text(lang)  # in `lang`, as the text report says them
        d["message_zh"], d["hint_zh"] = self.message, self.hint
        d["source"], d["source_zh"] = self.source_text(lang), self.source
        return d


def sort_key(f: Finding) -> tuple:
    return (f.file or "", SEVERITY_ORDER[f.severity], f.sheet or "", _cell_order(f.cell), f.code)


def _cell_order(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
