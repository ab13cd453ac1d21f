"""The government counterpart's endorsement of an application, given through a signed link
(only a hash of the token is stored) or recorded by staff from a letter received on paper."""
