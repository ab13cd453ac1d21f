"""The demo's action plan: Belize's First Open Government National Action Plan 2020–2022,
being implemented, its commitments written in OGP's template in English and Spanish."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coalitions.coalitions.models import Coalition
from coalitions.plans.models import ActionPlan, Commitment, Milestone
from coalitions.plans.states import MilestoneState, PlanState
from core.extensions import db

_DONE, _GOING, _LATE, _TODO = (MilestoneState.complete, MilestoneState.in_progress,
                               MilestoneState.delayed, MilestoneState.not_started)

#: Each commitment: its texts in English and Spanish, the OGP values it serves, its period,
#: lead, supporters, coalition and milestones (title, outputs, start, end, state).
COMMITMENTS = [
    {
        "en": {
            "title": "An online portal for information requests",
            "thematic_area": "Access to public information",
            "problem": "Requests for information are made on paper, ministry by ministry; "
                       "most go unanswered within the time the law allows.",
            "cause": "No shared system records the requests, and officers are not trained "
                     "in the Freedom of Information Act.",
            "description": "A single online portal where anyone can request information "
                           "from any ministry and follow the answer.",
            "ambition": "Requests are tracked and answered on time, and the answers are "
                        "published for everyone.",
            "transparency_note": "More public information is released, and faster.",
            "participation_note": "Citizens can ask for the information they need to take "
                                  "part in public decisions.",
            "additional_information": "Part of the e-governance strategy 2020–2024."},
        "es": {
            "title": "Un portal en línea para las solicitudes de información",
            "thematic_area": "Acceso a la información pública",
            "problem": "Las solicitudes de información se hacen en papel, ministerio por "
                       "ministerio; la mayoría no se responde en el plazo que fija la ley.",
            "cause": "Ningún sistema común registra las solicitudes, y los funcionarios no "
                     "están capacitados en la Ley de Libertad de Información.",
            "description": "Un portal único en línea donde cualquier persona puede pedir "
                           "información a cualquier ministerio y seguir la respuesta.",
            "ambition": "Las solicitudes se siguen y se responden a tiempo, y las respuestas "
                        "se publican para todos.",
            "transparency_note": "Se publica más información pública, y más rápido.",
            "participation_note": "La ciudadanía puede pedir la información que necesita "
                                  "para participar en las decisiones públicas.",
            "additional_information": "Forma parte de la estrategia de gobierno electrónico "
                                      "2020–2024."},
        "values": ("transparency", "participation"),
        "period": (date(2020, 10, 1), date(2022, 6, 30)),
        "lead": "Freedom of Information Unit",
        "supporters": ["Ministry of Public Service, Governance Reform and E-Governance",
                       "Belize Access to Information Coalition",
                       "Regional Open Government Foundation"],
        "coalition": "Access to Information Alliance",
        "milestones": [
            (("Portal requirements agreed", "Requisitos del portal acordados"),
             ("Requirements signed off by five ministries",
              "Requisitos aprobados por cinco ministerios"),
             date(2020, 10, 1), date(2020, 12, 15), _DONE),
            (("Portal live for five ministries",
              "Portal en funcionamiento en cinco ministerios"),
             ("Portal online; 40 officers trained", "Portal en línea; 40 funcionarios "
                                                    "capacitados"),
             date(2021, 1, 15), date(2021, 9, 30), _GOING)]},
    {
        "en": {
            "title": "Open budget data every quarter",
            "thematic_area": "Open data",
            "problem": "Budget execution is published once a year, in formats no one can "
                       "reuse.",
            "cause": "Figures are compiled by hand and there is no open data policy for "
                     "public finances.",
            "description": "The Ministry of Finance publishes budget execution every "
                           "quarter as open data, with a citizens' budget.",
            "ambition": "Citizens, journalists and legislators follow spending as it "
                        "happens.",
            "transparency_note": "Budget execution is public every quarter.",
            "accountability_note": "Spending can be compared with what was approved, "
                                   "and questioned."},
        "es": {
            "title": "Datos presupuestarios abiertos cada trimestre",
            "thematic_area": "Datos abiertos",
            "problem": "La ejecución del presupuesto se publica una vez al año, en formatos "
                       "que nadie puede reutilizar.",
            "cause": "Las cifras se compilan a mano y no hay una política de datos abiertos "
                     "para las finanzas públicas.",
            "description": "El Ministerio de Finanzas publica la ejecución del presupuesto "
                           "cada trimestre como datos abiertos, con un presupuesto "
                           "ciudadano.",
            "ambition": "La ciudadanía, la prensa y los legisladores siguen el gasto a "
                        "medida que ocurre.",
            "transparency_note": "La ejecución del presupuesto es pública cada trimestre.",
            "accountability_note": "El gasto puede compararse con lo aprobado, y "
                                   "cuestionarse."},
        "values": ("transparency", "accountability"),
        "period": (date(2020, 9, 1), date(2022, 8, 31)),
        "lead": "Ministry of Finance",
        "supporters": ["Statistical Institute of Belize", "Belize Budget Watch"],
        "coalition": "Belize Open Data Coalition",
        "milestones": [
            (("First quarterly release", "Primera publicación trimestral"),
             ("Budget execution data set for the first quarter",
              "Datos de ejecución del primer trimestre"),
             date(2020, 11, 1), date(2021, 1, 31), _DONE),
            (("Citizens' budget published", "Presupuesto ciudadano publicado"),
             ("A citizens' budget in plain language", "Un presupuesto ciudadano en "
                                                      "lenguaje claro"),
             date(2021, 2, 1), date(2021, 6, 30), _LATE)]},
    {
        "en": {
            "title": "Beneficial ownership of public contractors",
            "thematic_area": "Fight against corruption",
            "problem": "No one knows who really owns the companies that win public "
                       "contracts.",
            "cause": "Company registers keep only the legal owners, and contracting "
                     "rules do not ask for more.",
            "description": "A public register of the beneficial owners of every company "
                           "bidding for public contracts.",
            "ambition": "Conflicts of interest in public contracting can be found and "
                        "prevented.",
            "transparency_note": "The owners of public contractors become public.",
            "accountability_note": "Officials who favour their own companies can be held "
                                   "to account."},
        "es": {
            "title": "Beneficiarios finales de los contratistas del Estado",
            "thematic_area": "Lucha contra la corrupción",
            "problem": "Nadie sabe quiénes son en realidad los dueños de las empresas que "
                       "ganan contratos públicos.",
            "cause": "Los registros de empresas guardan solo a los dueños legales, y las "
                     "normas de contratación no piden más.",
            "description": "Un registro público de los beneficiarios finales de toda empresa "
                           "que se presente a contratos públicos.",
            "ambition": "Los conflictos de interés en la contratación pública pueden "
                        "detectarse y prevenirse.",
            "transparency_note": "Los dueños de los contratistas del Estado se hacen "
                                 "públicos.",
            "accountability_note": "Los funcionarios que favorecen a sus propias empresas "
                                   "pueden rendir cuentas."},
        "values": ("transparency", "accountability"),
        "period": (date(2021, 4, 1), date(2022, 8, 31)),
        "lead": "Integrity Commission",
        "supporters": ["Attorney General's Ministry", "Belize Anti-Corruption Forum",
                       "Belize Chamber of Commerce and Industry"],
        "coalition": "Open Government Action Plan Working Group",
        "milestones": [
            (("Register designed", "Registro diseñado"),
             ("The register's data model and the draft regulation",
              "El modelo de datos del registro y el proyecto de reglamento"),
             date(2021, 4, 1), date(2021, 10, 31), _TODO)]},
    {
        "en": {
            "title": "School performance data for parents",
            "thematic_area": "Education",
            "problem": "Parents cannot compare schools or see how their children's school "
                       "is doing.",
            "cause": "Results are kept by the ministry and shared only with school "
                     "managers.",
            "description": "Each school's results and resources published in a form "
                           "parents understand, and discussed at school board meetings.",
            "ambition": "Parents take part in improving their schools with the same "
                        "information as the ministry.",
            "participation_note": "Parents and school boards discuss the results and "
                                  "propose improvements."},
        "es": {
            "title": "Datos de desempeño escolar para madres y padres",
            "thematic_area": "Educación",
            "problem": "Las familias no pueden comparar escuelas ni ver cómo le va a la "
                       "escuela de sus hijos.",
            "cause": "El ministerio guarda los resultados y solo los comparte con la "
                     "dirección de las escuelas.",
            "description": "Los resultados y recursos de cada escuela, publicados de forma "
                           "que las familias entiendan, y debatidos en las juntas escolares.",
            "ambition": "Las familias participan en la mejora de sus escuelas con la misma "
                        "información que el ministerio.",
            "participation_note": "Las familias y las juntas escolares debaten los "
                                  "resultados y proponen mejoras."},
        "values": ("participation",),
        "period": (date(2020, 11, 1), date(2022, 7, 31)),
        "lead": "Ministry of Education",
        "supporters": ["Learning Together Belize", "University of Belize"],
        "coalition": "Open Government Action Plan Working Group",
        "milestones": [
            (("Data set agreed with school boards",
              "Conjunto de datos acordado con las juntas escolares"),
             ("The list of figures published for each school",
              "La lista de cifras que se publican por escuela"),
             date(2020, 11, 1), date(2021, 3, 31), _GOING)]},
]


def _milestone(title, outputs, starts_on, due_on, state) -> Milestone:
    milestone = Milestone(title=title[0], outputs=outputs[0], starts_on=starts_on,
                          due_on=due_on, state=state)
    milestone.set_translation("es", {"title": title[1], "outputs": outputs[1]})
    return milestone


def action_plan(organisations) -> ActionPlan:
    plan = ActionPlan(title="Belize's First Open Government National Action Plan 2020–2022",
                      country="BZ", starts_on=date(2020, 9, 1), ends_on=date(2022, 8, 31),
                      state=PlanState.in_implementation)
    plan.set_translation("es", {"title": "Primer Plan de Acción Nacional de Gobierno Abierto "
                                         "de Belice 2020–2022"})
    coalitions = {c.name: c for c in db.session.scalars(select(Coalition))}
    for position, row in enumerate(COMMITMENTS):
        starts_on, ends_on = row["period"]
        commitment = Commitment(
            position=position, **row["en"], starts_on=starts_on, ends_on=ends_on,
            **{value: value in row["values"] for value in ("transparency", "participation",
                                                           "accountability")},
            lead_organisation=organisations[row["lead"]],
            supporters=[organisations[name] for name in row["supporters"]],
            coalitions=[coalitions[row["coalition"]]],
            milestones=[_milestone(*milestone) for milestone in row["milestones"]])
        commitment.set_translation("es", row["es"])
        plan.commitments.append(commitment)
    db.session.add(plan)
    return plan
