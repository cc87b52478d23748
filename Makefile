# zonekit — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := demo

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed-test
	rm -rf $(OUT)
	@echo "== 1. zonekit init：新建一个空白材料包 $(OUT)/新材料包"
	$(BIN)/zonekit init sz-building "$(OUT)/新材料包"
	@echo "== 2. zonekit check：检查示例材料包 samples/sz-building-demo"
	$(BIN)/zonekit check samples/sz-building-demo --as-of 2026-11-22
	@echo "== 3. zonekit bundle：生成申报材料 PDF 和 Word"
	$(BIN)/zonekit bundle samples/sz-building-demo -o "$(OUT)/申报材料" --date 2026-11-22
	@echo
	@echo "结果 / result: $(OUT)/申报材料/申报材料.pdf  $(OUT)/申报材料/申报材料.docx"

test: $(VENV)/.installed-test
	$(BIN)/ruff check zonekit tests bench
	$(BIN)/python -m pytest -q
	@echo "== PDF tests again with the pypdf fallback (used when pikepdf is not installed)"
	ZONEKIT_PDF_ENGINE=pypdf $(BIN)/python -m pytest -q tests/test_pdfout.py tests/test_bundle.py

bench: $(VENV)/.installed-test
	$(BIN)/python bench/startup_bench.py

clean:
	rm -rf $(VENV) $(OUT) dist build .pytest_cache .ruff_cache
