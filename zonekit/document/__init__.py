"""The neutral document model (`model`) and what turns things into it or out of it: filled forms as
tables (`forms`), the PDF (`pdf/`) and Word (`docx`) renderers, their fonts (`fonts`), office files
converted by LibreOffice (`office`, `office_copy`) and the page numbers a user's PDF prints (`page_numbers`)."""
