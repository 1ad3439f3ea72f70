//! The recommendation level, drawn as a coloured vector tick rather than written.

use super::page_layout::Rgb;

/// ANSSI's recommendation for a qualified service. The default rule (decision ending in less than two
/// months → critique, less than six → modéré, else optimal) is overridden by hand at times (Outscale's
/// IaaS was orange while ending a year later), so the level is read from the tick, never computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecommendationLevel {
    Optimal,
    Modere,
    Critique,
}

impl RecommendationLevel {
    /// The tick colours of the catalogue (RGB fill of the vector path).
    pub const OPTIMAL_GREEN: (f32, f32, f32) = (0.580, 0.847, 0.176);
    pub const MODERE_ORANGE: (f32, f32, f32) = (0.988, 0.769, 0.098);
    pub const CRITIQUE_RED: (f32, f32, f32) = (0.980, 0.322, 0.322);

    /// Colours are written with five decimals and may be re-encoded by another producer: a per-component
    /// tolerance of 0.06 still keeps the three tick colours far apart.
    const TOLERANCE: f32 = 0.06;

    /// The lower-case ASCII name used in exports ("optimal", "modere", "critique").
    pub fn as_str(self) -> &'static str {
        match self {
            RecommendationLevel::Optimal => "optimal",
            RecommendationLevel::Modere => "modere",
            RecommendationLevel::Critique => "critique",
        }
    }

    pub fn color(self) -> (f32, f32, f32) {
        match self {
            RecommendationLevel::Optimal => Self::OPTIMAL_GREEN,
            RecommendationLevel::Modere => Self::MODERE_ORANGE,
            RecommendationLevel::Critique => Self::CRITIQUE_RED,
        }
    }

    pub(crate) fn from_fill(fill: Rgb) -> Option<RecommendationLevel> {
        [
            RecommendationLevel::Optimal,
            RecommendationLevel::Modere,
            RecommendationLevel::Critique,
        ]
        .into_iter()
        .find(|level| {
            let (r, g, b) = level.color();
            fill.distance(Rgb(r, g, b)) <= Self::TOLERANCE
        })
    }
}

impl std::str::FromStr for RecommendationLevel {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "optimal" => Ok(RecommendationLevel::Optimal),
            "modere" | "modéré" => Ok(RecommendationLevel::Modere),
            "critique" => Ok(RecommendationLevel::Critique),
            other => Err(format!("unknown recommendation level {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_colours_are_matched_with_a_tolerance() {
        assert_eq!(
            RecommendationLevel::from_fill(Rgb(0.58039, 0.84705, 0.17647)),
            Some(RecommendationLevel::Optimal)
        );
        assert_eq!(
            RecommendationLevel::from_fill(Rgb(0.98823, 0.76862, 0.09803)),
            Some(RecommendationLevel::Modere)
        );
        assert_eq!(
            RecommendationLevel::from_fill(Rgb(0.95, 0.34, 0.30)),
            Some(RecommendationLevel::Critique)
        );
        assert_eq!(RecommendationLevel::from_fill(Rgb(0.93, 0.93, 0.93)), None);
    }
}
