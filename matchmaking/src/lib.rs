//! Matchmaking days: instances, the meeting scheduler, its checker and its benchmark.
