"""Helpers shared by the events tests: attendance sheets as bytes, and an event."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl

HEADER = ["Full name", "Email", "Sex", "Year of birth", "Organisation", "Sector", "Role",
          "Country", "Attended"]
SPANISH_HEADER = ["Nombre completo", "Correo electrónico", "Sexo", "Año de nacimiento",
                  "Organización", "Sector", "Rol", "País", "Asistió"]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def row(name="Maria Chen", email="maria@example.org", sex="Female", year=1995,
        organisation="Open Data Belize", sector="Civil society", role="Participant",
        country="BZ", attended="Yes"):
    return [name, email, sex, year, organisation, sector, role, country, attended]


def make_event(session, **fields):
    from coalitions.events.models import Event, EventType

    fields.setdefault("type", EventType.workshop)
    fields.setdefault("title", "Open data workshop")
    fields.setdefault("starts_on", date(2019, 3, 14))
    fields.setdefault("ends_on", date(2019, 3, 15))
    fields.setdefault("country", "BZ")
    event = Event(**fields)
    session.add(event)
    session.flush()
    return event
