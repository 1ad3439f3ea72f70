//! A small deterministic generator for the search module's tests (xorshift64): enough to vary
//! documents, words, scores and filters from a fixed seed, with the same sequence on every run.

/// The generator's state; never zero.
pub(crate) struct Dice(u64);

impl Dice {
    /// A generator from `seed` (zero is replaced, as xorshift would stay at zero).
    pub(crate) fn new(seed: u64) -> Self {
        Dice(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// A number below `sides`.
    pub(crate) fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }

    /// Up to `most` values picked from `all` (repeats allowed).
    pub(crate) fn some<V: Copy>(&mut self, all: &[V], most: u64) -> Vec<V> {
        (0..self.roll(most + 1))
            .map(|_| all[self.roll(all.len() as u64) as usize])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_rolls_within_their_range() {
        let rolls = |seed| {
            let mut dice = Dice::new(seed);
            (0..1_000).map(|_| dice.roll(6)).collect::<Vec<_>>()
        };
        assert_eq!(rolls(42), rolls(42));
        assert_ne!(rolls(42), rolls(43));
        assert!(rolls(0).iter().all(|r| *r < 6));
        // Every face comes up.
        assert_eq!(
            rolls(7)
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            6
        );
    }
}
