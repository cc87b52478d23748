"""The one findings model every check yields, and the table of stable finding codes.

A finding is data: what is wrong (code, severity, message in Chinese and English), where
(file, sheet, cell, field), why (source article) and what to do (hint). Checks yield findings;
only the CLI renders them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

# Stable codes (documented in README.md; tests pin them). code -> (zh, en) description.
CODES: dict[str, tuple[str, str]] = {
    "packet_invalid": ("packet.toml 缺失、无法读取或内容不合规", "packet.toml missing, unreadable or invalid"),
    "packet_field": ("申报信息（材料清单.xlsx 的“申报信息”表，旧版为 packet.toml）中的申报单位信息、申报路径或确认事项有误",
                     "an answer (applicant, claim, attestation) in 申报信息 (or an old packet.toml) is wrong"),
    "spec_changed": ("packet 创建后项目规范已变更", "the programme spec changed since the packet was created"),
    "file_missing": ("表单文件缺失", "a form file is missing"),
    "form_ambiguous": ("有多个文件都是同一张表单，无法确定读哪一个", "several files are the same form; zonekit cannot tell which to read"),
    "form_elsewhere": ("表单放在了其他材料的目录中", "a form is in another material's folder"),
    "file_unreadable": ("文件损坏、加密、格式不对或无法读取", "a file is corrupt, encrypted, of the wrong type or unreadable"),
    "file_too_large": ("文件过大，超出读取上限", "a file exceeds the size zonekit reads"),
    "file_type": ("文件类型不被接受", "a file type is not accepted"),
    "file_empty": ("空文件（0 字节）", "an empty (0-byte) file"),
    "file_special": ("不是普通文件（管道、套接字、设备），不读取、不打包", "not a regular file (FIFO, socket, device): not read, not bundled"),
    "file_name": ("文件名过长或以“-”开头", "a file name too long for Windows or starting with '-'"),
    "pdf_active": ("PDF 含脚本、附件或启动动作（打包时删除）", "a PDF carries JavaScript, attached files or launch actions (removed when bundling)"),
    "pdf_fonts": ("PDF 的字体没有嵌入，打印时可能被替换或显示空白", "a PDF's fonts are not embedded; printing may substitute them or show blanks"),
    "unsafe_path": ("符号链接或指向材料包以外的路径（不跟随）", "a symlink or a path leading outside the packet (not followed)"),
    "sheet_missing": ("找不到表单所在的工作表", "the form's sheet cannot be found"),
    "header_missing": ("找不到表头或表头列缺失", "the table header or one of its columns is missing"),
    "row_missing": ("指标表缺少规定的指标行", "an indicator row required by the form is missing"),
    "row_unknown": ("指标表中有不属于本表的行", "a row that is not one of the form's indicators"),
    "row_not_responsible": ("填报了责任单位不含本单位的行", "a row filled by a unit that is not responsible for it"),
    "progress_behind": ("指标进度落后于从基期到目标的直线进度", "an indicator is behind the straight path from its baseline to its target"),
    "field_missing": ("必填项为空", "a required field is empty"),
    "value_type": ("数值、日期或是/否无法识别", "a number, date or yes/no cannot be read"),
    "value_ambiguous": ("数值或日期含义不明确", "a number or date is ambiguous"),
    "value_range": ("数值或日期超出允许范围", "a value is out of range"),
    "value_choice": ("不是允许的选项", "a value is not one of the allowed choices"),
    "uscc_invalid": ("统一社会信用代码不合规（长度、字符或校验位）", "unified social credit code invalid (length, characters or check digit)"),
    "uscc_form": ("统一社会信用代码含小写字母、空格或全角字符（按大写半角读取）",
                  "unified social credit code in lower case, with spaces or full-width characters (read as upper-case half-width)"),
    "phone_invalid": ("电话号码格式不对", "phone number format is wrong"),
    "email_invalid": ("邮箱格式不对", "email format is wrong"),
    "duplicate_value": ("同一企业名称或统一社会信用代码重复出现", "the same enterprise name or credit code appears twice"),
    "formula_uncached": ("公式没有计算结果（文件未经 Excel/WPS 保存）", "a formula has no cached value (file never saved by Excel/WPS)"),
    "number_as_text": ("数字按文本保存，Excel/WPS 求和时不计入", "a number saved as text, which Excel/WPS leave out of sums"),
    "total_mismatch": ("合计行与明细不一致", "the total row disagrees with the rows above it"),
    "consistency": ("表单之间的数字或名称不一致", "figures or names disagree across forms"),
    "condition_unmet": ("未满足申报条件", "an eligibility condition is not met"),
    "condition_in_principle": ("未达到“原则上”的条件，需说明理由", "an 'in principle' threshold is missed; justification needed"),
    "score_band": ("自评分低于列入的档次（评估结果由专家确定，不是申报条件）", "a self-assessed score below the listed bands (the experts decide; not an entry condition)"),
    "material_recommended": ("zonekit 建议提供的材料（通知未要求）尚未提供", "a material zonekit recommends (the notice does not ask for it) is not there"),
    "condition_unknown": ("缺少判断申报条件所需的数据", "data needed to evaluate a condition is missing"),
    "attestation_missing": ("资质条件尚未确认", "a qualification has not been attested"),
    "material_missing": ("缺少必需的申报材料", "a required material is missing"),
    "material_empty": ("材料目录为空", "a material folder is empty"),
    "stray_file": ("材料包中有不属于任何材料的文件", "a file that belongs to no material"),
    "deadline": ("申报截止日期提示", "deadline reminder"),
    "deadline_passed": ("已过申报截止日期", "the deadline has passed"),
    "internal_error": ("zonekit 内部错误（请反馈）", "internal zonekit error (please report)"),
}


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str  # Chinese
    message_en: str = ""
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    field: str | None = None
    source: str | None = None
    hint: str | None = None
    rule: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"undocumented finding code: {self.code}")

    def text(self, lang: str = "zh") -> str:
        return self.message_en or self.message if lang == "en" else self.message

    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet and f"[{self.sheet}]", self.cell) if p]
        return " ".join(parts)

    def to_json(self, lang: str = "zh") -> dict[str, str | None]:
        d = asdict(self)
        d["message"] = self.text(lang)
        d["message_zh"] = self.message
        return d


def sort_key(f: Finding) -> tuple:
    return (f.file or "", SEVERITY_ORDER[f.severity], f.sheet or "", _cell_order(f.cell), f.code)


def _cell_order(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
