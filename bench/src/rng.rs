//! A small seeded random generator (SplitMix64), kept here so that a corpus or a query set generated
//! from a seed is the same whatever the version of any random-number crate.

/// SplitMix64 (Steele, Lea, Flood 2014): one `u64` of state, good enough statistics for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// An independent stream for one record: the corpus stays a prefix of any larger one.
    pub fn for_record(seed: u64, index: u64) -> Self {
        let mut base = Self::new(seed);
        base.0 = base
            .0
            .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        base.next_u64();
        base
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// Uniform in `[0, n)`.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in `[low, high]`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        low + self.below((high - low + 1) as usize) as i64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given weights.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut target = self.below(total as usize) as u32;
        for (index, weight) in weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }

    /// `count` distinct items (fewer when the slice is shorter).
    pub fn sample<'a, T>(&mut self, items: &'a [T], count: usize) -> Vec<&'a T> {
        let mut indices: Vec<usize> = (0..items.len()).collect();
        let count = count.min(items.len());
        for i in 0..count {
            let j = i + self.below(items.len() - i);
            indices.swap(i, j);
        }
        indices[..count].iter().map(|&i| &items[i]).collect()
    }

    /// Log-normal, as Python's `random.lognormvariate`.
    pub fn lognormal(&mut self, mu: f64, sigma: f64) -> f64 {
        // Box-Muller.
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        let normal = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        (mu + sigma * normal).exp()
    }
}
