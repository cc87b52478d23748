#!/bin/sh
# Install the system packages zonekit's full product needs, when they are missing (Debian/Ubuntu).
#
#   tools/system_deps.sh PYTHON NEED...     NEED: venv office uno poppler chromium cjkfont notosource
#
#   venv        python3-venv, when PYTHON cannot create a virtual environment (no ensurepip)
#   office      LibreOffice writer + calc without GUI (Word/Excel attachments → PDF); looked for the
#               way zonekit looks (PYTHON -c 'zonekit.document.office.find_soffice()'), so an existing
#               LibreOffice — GUI, /opt, snap — is left alone
#   poppler     poppler-utils (pdffonts, pdftoppm, pdftotext: the PDF checks of the tests)
#   uno         python3-uno: the UNO bridge `zonekit serve` drives its warm LibreOffice through
#               (zonekit/serve/warm_office.py); without it serve starts soffice per bundle
#   chromium    Debian's chromium, the headless browser tests/test_serve_browser.py drives (zonekit serve)
#   cjkfont     a Chinese font for LibreOffice to set converted Word/Excel files in (fonts-noto-cjk)
#   notosource  fonts-noto-cjk's NotoSerifCJK-Regular.ttc, the source of tools/build_font.py
#
# As root it runs apt-get, else `sudo -n apt-get` when sudo needs no password. Where it cannot
# install (no apt-get, not root, apt failing) it prints one line saying what to run and exits 0:
# zonekit still works without these, marking what it could not do (a bundle becomes 不完整).
# ZONEKIT_SYSTEM_DEPS=0 skips the step; ZONEKIT_SYSTEM_DEPS=dry-run only prints the command.
set -u

PYTHON=${1:?usage: system_deps.sh PYTHON NEED...}
shift

have() { command -v "$1" >/dev/null 2>&1; }

soffice_found() {
  found=$("$PYTHON" -c 'from zonekit.document.office import find_soffice; print(find_soffice() or "")' 2>/dev/null) || found=""
  [ -n "$found" ] || have soffice || have libreoffice
}

missing=""
for need in "$@"; do
  case "$need" in
    venv) "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || missing="$missing python3-venv" ;;
    office) soffice_found || missing="$missing libreoffice-writer-nogui libreoffice-calc-nogui" ;;
    uno) { [ -n "${ZONEKIT_UNO_PYTHON:-}" ] || /usr/bin/python3 -c "import uno" 2>/dev/null || python3 -c "import uno" 2>/dev/null; } \
           || missing="$missing python3-uno" ;;
    poppler) { have pdffonts && have pdftoppm && have pdftotext; } || missing="$missing poppler-utils" ;;
    chromium) { have chromium || have chromium-browser; } || missing="$missing chromium" ;;
    cjkfont) [ -n "$(fc-list :lang=zh file 2>/dev/null | head -n 1)" ] || missing="$missing fonts-noto-cjk" ;;
    notosource) [ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] || missing="$missing fonts-noto-cjk" ;;
    *) echo "system_deps.sh: unknown need '$need'" >&2; exit 2 ;;
  esac
done
# fonts-noto-cjk and chromium may be asked for twice
missing=$(printf '%s\n' $missing | awk 'NF && !seen[$0]++' | tr '\n' ' ' | sed 's/ $//')
[ -z "$missing" ] && exit 0

hint="sudo apt-get install -y --no-install-recommends $missing"
case "${ZONEKIT_SYSTEM_DEPS:-1}" in
  0) exit 0 ;;
  dry-run) echo "would run: apt-get install -y --no-install-recommends $missing"; exit 0 ;;
esac
if ! have apt-get; then
  echo "zonekit: 缺少 LibreOffice / poppler / 中文字体（$missing），不是 Debian/Ubuntu，请用本系统的包管理器安装；没有它们时打包标记“不完整”，相关测试跳过"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif have sudo && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "zonekit: 缺少 $missing，请运行：$hint（没有它们时打包标记“不完整”，相关测试跳过）"
  exit 0
fi
echo "== 安装 $missing（apt-get，需要几分钟）"
export DEBIAN_FRONTEND=noninteractive
apt_install() { $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
if ! apt_install && ! { $SUDO apt-get update -qq >/dev/null && apt_install; }; then
  echo "zonekit: apt-get 安装失败，请运行：$hint（没有它们时打包标记“不完整”，相关测试跳过）"
fi
exit 0
