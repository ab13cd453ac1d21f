"""Co-creating an action plan: public consultations on a draft plan, the proposals, comments
and supports people send, their moderation, and the forum's reasoned response to each."""
