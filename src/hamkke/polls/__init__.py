"""M-Voting: polls posed by the city or by citizens, one verified person one vote."""
