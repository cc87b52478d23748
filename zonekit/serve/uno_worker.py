"""The conversion worker of `zonekit serve`'s running LibreOffice: run by a Python that can `import uno`
(LibreOffice's own program/python.exe on Windows, Resources/python on macOS, Debian's python3 with
python3-uno), never imported by zonekit itself, so it uses only the standard library and uno.

    PYTHON uno_worker.py PIPE_NAME CONNECT_SECONDS

It connects to the soffice listening on the named pipe (`--accept=pipe,name=PIPE_NAME;urp;`), prints
{"ready": true}, then reads one JSON request a line from stdin — {"in": path, "out": path} — and
answers each with {"ok": true} or {"error": text}. A document is loaded and stored with the arguments
LibreOffice's own `--convert-to pdf` uses (desktop/source/app/dispatchwatcher.cxx: ReadOnly,
OpenNewView, Hidden, Silent; the PDF filter of the document's kind, Overwrite), so the PDF is the one
the command line would write. When stdin closes (zonekit stopped, or died) it asks soffice to quit.
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

PDF_FILTERS = {
    "com.sun.star.text.TextDocument": "writer_pdf_Export",
    "com.sun.star.text.GlobalDocument": "writer_globaldocument_pdf_Export",
    "com.sun.star.text.WebDocument": "writer_web_pdf_Export",
    "com.sun.star.sheet.SpreadsheetDocument": "calc_pdf_Export",
    "com.sun.star.presentation.PresentationDocument": "impress_pdf_Export",
    "com.sun.star.drawing.DrawingDocument": "draw_pdf_Export",
}


def properties(**values):
    out = []
    for name, value in values.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def connect(pipe, seconds):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # NoConnectException until soffice listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def document_service(doc):
    for arg in doc.getArgs():
        if arg.Name == "DocumentService":
            return arg.Value
    return next((s for s in PDF_FILTERS if doc.supportsService(s)), "")


def convert(desktop, src, dst):
    doc = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(src), "_blank", 0,
        properties(Referer="private:OpenEvent", ReadOnly=True, OpenNewView=True, Hidden=True, Silent=True))
    if doc is None:
        return "LibreOffice 无法打开此文件"
    try:
        pdf_filter = PDF_FILTERS.get(document_service(doc))
        if pdf_filter is None:
            return "LibreOffice 不能把这种文档导出为 PDF"
        doc.storeToURL(uno.systemPathToFileUrl(dst),
                       properties(ConversionRequestOrigin="CommandLine", Overwrite=True, FilterName=pdf_filter))
        return None
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()


def reply(**answer):
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


def main():
    pipe, seconds = sys.argv[1], float(sys.argv[2])
    try:
        desktop = connect(pipe, seconds)
    except Exception as e:
        reply(error=f"无法连接 LibreOffice：{getattr(e, 'Message', e)}")
        return
    reply(ready=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            try:
                problem = convert(desktop, request["in"], request["out"])
            except Exception as e:  # an import error of LibreOffice, or the bridge gone with soffice
                problem = f"{type(e).__name__}：{getattr(e, 'Message', '') or e}"
            if problem:
                reply(error=problem)
            else:
                reply(ok=True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass


if __name__ == "__main__":
    main()
