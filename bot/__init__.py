"""A bot that answers questions about The Korea Times' June 2020 ASEAN envoys roundtable."""
