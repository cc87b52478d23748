# zonekit — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := demo
# LibreOffice (Word/Excel → PDF), poppler and a Chinese font for LibreOffice: installed when missing
# (Debian/Ubuntu, as root or with sudo), else one line says what to run; see tools/system_deps.sh
SYSTEM_DEPS = sh tools/system_deps.sh

.PHONY: demo test lint bench clean font font-check samples

$(BIN)/python:
	@$(SYSTEM_DEPS) $(PYTHON) venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed-test
	@$(SYSTEM_DEPS) $(BIN)/python office cjkfont poppler
	rm -rf $(OUT)
	@echo "== 1. zonekit init：新建一个空白材料包 $(OUT)/新材料包"
	$(BIN)/zonekit init sz-building "$(OUT)/新材料包" --no-input --data applicant.district=福田区 \
	  --data claims.scale_path=fiscal --data attestations.no_incident=是
	@echo "== 2. zonekit check：检查示例材料包 samples/sz-building-demo"
	$(BIN)/zonekit check samples/sz-building-demo --as-of 2026-11-22
	@echo "== 3. zonekit bundle：生成申报材料 PDF 和 Word"
	$(BIN)/zonekit bundle samples/sz-building-demo -o "$(OUT)/申报材料" --date 2026-11-22
	@echo
	@echo "结果 / result: $(OUT)/申报材料/申报材料.pdf  $(OUT)/申报材料/申报材料.docx"

# ruff (lint, imports, 120 columns) and mypy on zonekit/ ([tool.mypy] in pyproject.toml)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check zonekit tests bench tools samples
	$(BIN)/python -m mypy

test: lint
	@$(SYSTEM_DEPS) $(BIN)/python office uno cjkfont poppler chromium
	$(BIN)/python -m pytest -q
	@echo "== PDF tests again with the pypdf fallback (used when pikepdf is not installed)"
	ZONEKIT_PDF_ENGINE=pypdf $(BIN)/python -m pytest -q tests/test_pdfout.py tests/test_bundle.py

# zonekit/fontdata/ZonekitSerifSC-Regular.ttf from Debian's fonts-noto-cjk (tools/build_font.py);
# font-check rebuilds it in a temporary folder and compares. FONT_SOURCE=path: another copy of the .ttc
font font-check: $(VENV)/.installed-test
	@$(if $(FONT_SOURCE),,$(SYSTEM_DEPS) $(BIN)/python notosource)
	$(BIN)/python -m pip install --quiet -e '.[test,font]'
	$(BIN)/python tools/build_font.py $(if $(FONT_SOURCE),--source "$(FONT_SOURCE)") $(if $(filter font-check,$@),--check)

# every sample packet, rebuilt from its spec (needs LibreOffice: the forms are re-saved through it, as
# an office suite saves them); tests/test_real_files.py fails when a committed sample is stale
samples: $(VENV)/.installed-test
	@$(SYSTEM_DEPS) $(BIN)/python office
	$(BIN)/python samples/build_samples.py
	$(BIN)/python samples/build_samples_g60_miit.py
	$(BIN)/python samples/build_samples_3553_qiantang.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/startup_bench.py

clean:
	rm -rf $(VENV) $(OUT) dist build .pytest_cache .ruff_cache
