"""The demo's multi-stakeholder forum for Belize: twelve member organisations across the
sectors, its rules of participation in English and Spanish, the four meetings of 2020 that
co-created the first action plan (agendas, attendance, minutes, decisions), and the
repository's documents: a draft of the plan and, listed by themselves, the minutes of the
meetings, the consultation's "What we heard" and the plan.

Loaded through the forum's operations, as staff would write it; a second load finds the
meetings there and changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from accounts.models import User
from accounts.organisations.models import Organisation
from coalitions.coalitions.models import Coalition
from coalitions.forum import operations
from coalitions.forum.models import Meeting
from core.extensions import db
from core.timeutil import from_programme_time

NAME = ("Belize Open Government Partnership Forum", "Foro de la Alianza para el Gobierno "
        "Abierto de Belice")
RULES = ("""## Who takes part

The forum brings together government, civil society, the private sector and academia in
equal voice. Any organisation in the directory may ask to join; the forum decides at its
next meeting.

## How the forum works

- It meets at least once every three months while the action plan is co-created.
- Agendas are published a week before each meeting; minutes within two weeks after.
- Decisions are taken by consensus; when there is none, by a two-thirds majority of the
  members present, with government and civil society each holding half of the votes.
- Members declare any conflict of interest before a decision that concerns them.
""", """## Quiénes participan

El foro reúne al gobierno, la sociedad civil, el sector privado y la academia con igual voz.
Cualquier organización del directorio puede pedir su ingreso; el foro decide en su próxima
reunión.

## Cómo funciona el foro

- Se reúne al menos una vez cada tres meses mientras se co-crea el plan de acción.
- Las agendas se publican una semana antes de cada reunión; las actas, dentro de las dos
  semanas siguientes.
- Las decisiones se toman por consenso; si no lo hay, por mayoría de dos tercios de los
  miembros presentes, con la mitad de los votos para el gobierno y la mitad para la sociedad
  civil.
- Los miembros declaran cualquier conflicto de interés antes de una decisión que los afecte.
""")

#: (organisation, representative, role, joined on)
MEMBERS = [
    ("Ministry of Finance", "Elena Castillo", "Director of Budget", date(2020, 1, 15)),
    ("Freedom of Information Unit", "Rudolph Young", "Head of the Unit", date(2020, 1, 15)),
    ("Integrity Commission", "Gloria Chan", "Commissioner", date(2020, 1, 15)),
    ("Office of the Auditor General", "Victor Sabido", "Deputy Auditor", date(2020, 1, 15)),
    ("Central Information Technology Office", "Kevin Usher", "Chief Information Officer",
     date(2020, 4, 20)),
    ("Citizens for Transparency Belize", "Marisol Reyes", "Executive Director",
     date(2020, 1, 15)),
    ("Belize Budget Watch", "Dwight Flowers", "Coordinator", date(2020, 1, 15)),
    ("Corozal Women in Leadership", "Yolanda Cal", "President", date(2020, 1, 15)),
    ("Youth for Good Governance", "Andre Tillett", "Youth Representative", date(2020, 4, 20)),
    ("Belize Chamber of Commerce and Industry", "Sharon Garbutt", "Policy Officer",
     date(2020, 1, 15)),
    ("University of Belize", "Dr Ingrid Palacio", "Dean of Social Sciences", date(2020, 1, 15)),
    ("Amandala", "Oscar Vernon", "Editor", date(2020, 4, 20)),
]

#: (title and its Spanish, day and time, format, place, agenda and its Spanish, members present
#: (indexes of MEMBERS), other people present, minutes and their Spanish, decisions and theirs)
MEETINGS = [
    (("Launch of the forum", "Instalación del foro"), datetime(2020, 1, 22, 9, 30),
     "in_person", "Ministry of Finance conference room, Belmopan",
     ("1. Welcome\n2. Rules of participation\n3. Calendar of the co-creation",
      "1. Bienvenida\n2. Reglas de participación\n3. Calendario de la co-creación"),
     [0, 1, 2, 3, 5, 6, 7, 9, 10], 6,
     ("The members introduced themselves and discussed the draft rules of participation. "
      "The calendar of the co-creation was presented by the Freedom of Information Unit.",
      "Los miembros se presentaron y discutieron el borrador de las reglas de participación. "
      "La Unidad de Libertad de Información presentó el calendario de la co-creación."),
     [("Adopt the rules of participation.", "Adoptar las reglas de participación."),
      ("Hold a co-creation workshop in February.",
       "Realizar un taller de co-creación en febrero.")]),
    (("Priorities from the co-creation workshop", "Prioridades del taller de co-creación"),
     datetime(2020, 3, 4, 14, 0), "in_person", "University of Belize, Belmopan",
     ("1. Results of the workshop\n2. Choosing the themes",
      "1. Resultados del taller\n2. Elección de los temas"),
     [0, 1, 2, 5, 6, 7, 10], 11,
     ("The forum reviewed the 46 proposals from the February workshop and grouped them into "
      "six themes.", "El foro revisó las 46 propuestas del taller de febrero y las agrupó en "
                     "seis temas."),
     [("Keep six themes for the draft plan.", "Mantener seis temas para el borrador del plan."),
      ("Ask the Ministry of Finance to draft the budget commitment.",
       "Pedir al Ministerio de Finanzas que redacte el compromiso presupuestario.")]),
    (("Review of the draft action plan", "Revisión del borrador del plan de acción"),
     datetime(2020, 5, 27, 10, 0), "online", "Video call",
     ("1. The draft plan\n2. The public consultation",
      "1. El borrador del plan\n2. La consulta pública"),
     [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11], 23,
     ("The draft plan was read commitment by commitment. Civil society asked for firmer "
      "milestones on beneficial ownership.", "Se leyó el borrador compromiso por compromiso. "
      "La sociedad civil pidió hitos más firmes sobre beneficiarios finales."),
     [("Open the draft to public consultation in June.",
       "Abrir el borrador a consulta pública en junio."),
      ("Add a milestone on the register of beneficial owners.",
       "Agregar un hito sobre el registro de beneficiarios finales.")]),
    (("Approval of the action plan", "Aprobación del plan de acción"),
     datetime(2020, 8, 12, 9, 0), "hybrid", "Belmopan and online",
     ("1. Report of the consultation\n2. Approval of the plan",
      "1. Informe de la consulta\n2. Aprobación del plan"),
     [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 17,
     ("The forum heard the report of the public consultation and how each comment was "
      "answered, then approved the plan by consensus.", "El foro escuchó el informe de la "
      "consulta pública y cómo se respondió a cada comentario, y aprobó el plan por consenso."),
     [("Approve the action plan 2020–2022.", "Aprobar el plan de acción 2020–2022."),
      ("Meet every quarter to follow its implementation.",
       "Reunirse cada trimestre para dar seguimiento a su implementación.")]),
]


def _pdf(title: str) -> bytes:
    """A one-page PDF saying ``title`` (ASCII), small and valid."""
    text = title.encode("ascii", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def load(users: dict[str, User]) -> None:
    if db.session.scalar(select(Meeting.id).where(Meeting.title == MEETINGS[0][0][0]).limit(1)):
        return
    staff = users["staff"]
    coalitions = db.session.scalars(select(Coalition.id).order_by(Coalition.id)).all()
    operations.update_forum(staff, name=NAME[0], rules=RULES[0],
                            translations={"es": {"name": NAME[1], "rules": RULES[1]}},
                            coalition_ids=list(coalitions))
    members = _members(staff)
    for row in MEETINGS:
        _meeting(staff, members, *row)
    _documents(staff)
    db.session.flush()


def _members(staff) -> list:
    organisations = {org.name: org for org in db.session.scalars(select(Organisation).where(
        Organisation.name.in_([name for name, *_rest in MEMBERS])))}
    return [operations.add_member(staff, organisation_id=organisations[name].id,
                                  joined_on=joined_on, representative_name=person,
                                  representative_role=role)
            for name, person, role, joined_on in MEMBERS]


def _meeting(staff, members, titles, starts_at, format, place, agendas, present, others,
             minutes, decisions) -> None:
    meeting = operations.create_meeting(
        staff, title=titles[0], starts_at=from_programme_time(starts_at), format=format,
        place=place, agenda=agendas[0], minutes=minutes[0], other_attendees=others,
        attendee_ids=[members[index].id for index in present], is_published=True,
        translations={"es": {"title": titles[1], "agenda": agendas[1], "minutes": minutes[1]}})
    operations.set_decisions(meeting, staff, text="\n".join(text for text, _es in decisions),
                             translations={"es": "\n".join(es for _text, es in decisions)})


def _documents(staff) -> None:
    # The plan and the consultation's report are listed from their own pages.
    rows = [
        ("draft_plan", ("Draft action plan for consultation",
                        "Borrador del plan de acción para consulta"),
         ("The draft the forum reviewed on 27 May 2020 and opened to public consultation.",
          "El borrador que el foro revisó el 27 de mayo de 2020 y abrió a consulta pública."),
         date(2020, 5, 20), "draft-action-plan-2020.pdf", None),
    ]
    for kind, titles, descriptions, day, file_name, link in rows:
        upload = (FileStorage(BytesIO(_pdf(titles[0])), filename=file_name)
                  if file_name else None)
        operations.add_document(
            staff, kind=kind, title=titles[0], description=descriptions[0], document_date=day,
            file_storage=upload, link=link,
            translations={"es": {"title": titles[1], "description": descriptions[1]}})
