"""Names shared by the form writer and the form reader (kept apart so reading needs no openpyxl)."""

AUX_SHEET = "辅助信息（不打印）"
AUX_NOTE = "本表由 zonekit 生成，不属于官方表格，不需打印或报送；仅用于核对附件1与附件2（如持牌金融机构数）。"


def defined_name(form_id: str, key: str) -> str:
    """The workbook-level defined name of a form's input cell or range, e.g. ZK_APPLICATION_NAME."""
    return f"ZK_{form_id}_{key}".upper()
