"""Workbooks: reading them safely (`reader`), finding each form's file (`locate`), reading a form's
values (`form_reader`), the rows of one reporting unit (`rowfilter`), and writing the official
forms (`form_writer`, sharing `names` with the reader)."""
