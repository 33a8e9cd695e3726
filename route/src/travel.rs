//! How far and which way: great-circle distance and initial bearing between WGS-84 points
//! (the `geo` crate's haversine on its mean Earth radius, 6,371,008.8 m), compass words, and
//! the planner's travel time.
//!
//! Points are `(lat, lon)` pairs in degrees throughout this crate, the order couriers and
//! the protocol use; `geo` takes `(x, y) = (lon, lat)`, and [`point`] makes the swap in one
//! place.

use geo::{Bearing, Distance, Haversine, Point};

/// The mean Earth radius `geo`'s [`Haversine`] uses, metres: the same as the
/// `runsheet-route-v1` spec's `R`.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A `geo` point from `(lat, lon)` degrees.
pub fn point((lat, lon): (f64, f64)) -> Point<f64> {
    Point::new(lon, lat)
}

/// Great-circle distance in metres between two `(lat, lon)` points.
///
/// `geo`'s haversine without the spec's `min(1, sqrt(a))` clamp turns into NaN when rounding
/// pushes `a` past 1 (antipodal points); that case is half the circumference, as clamped.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let d = Haversine.distance(point(a), point(b));
    if d.is_nan() && [a.0, a.1, b.0, b.1].iter().all(|x| x.is_finite()) {
        std::f64::consts::PI * EARTH_RADIUS_M
    } else {
        d
    }
}

/// Initial bearing from `a` to `b`, degrees clockwise from north, `0..360`.
pub fn bearing_deg(a: (f64, f64), b: (f64, f64)) -> f64 {
    let deg = Haversine.bearing(point(a), point(b));
    // `geo` normalises with `%`, which leaves -0.0 (due north); report it as 0.
    if deg == 0.0 {
        0.0
    } else {
        deg
    }
}

/// The bearing in compass words (eight points).
pub fn compass(bearing: f64) -> &'static str {
    const POINTS: [&str; 8] = [
        "north",
        "north-east",
        "east",
        "south-east",
        "south",
        "south-west",
        "west",
        "north-west",
    ];
    POINTS[(bearing.rem_euclid(360.0) / 45.0 + 0.5) as usize % 8]
}

/// Travel seconds between two `(lat, lon)` points as `runsheet-route-v1` (section 2) defines
/// them: `floor(haversine_m * detour / speed + 0.5)`, multiplying before dividing.
pub fn travel_s(p: (f64, f64), q: (f64, f64), detour: f64, speed: f64) -> i64 {
    let x = distance_m(p, q) * detour / speed;
    (x + 0.5).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// The spec's section 2, step by step in its order: the oracle `geo` is checked against.
    fn spec_travel(p: (f64, f64), q: (f64, f64), detour: f64, speed: f64) -> (f64, i64) {
        const R: f64 = 6371008.8;
        let deg = std::f64::consts::PI / 180.0;
        let (phi1, phi2) = (p.0 * deg, q.0 * deg);
        let (dphi, dlam) = ((q.0 - p.0) * deg, (q.1 - p.1) * deg);
        let (s1, s2) = ((dphi / 2.0).sin(), (dlam / 2.0).sin());
        let a = s1 * s1 + phi1.cos() * phi2.cos() * s2 * s2;
        let h = 2.0 * R * a.sqrt().min(1.0).asin();
        (h, (h * detour / speed + 0.5).floor() as i64)
    }

    #[test]
    fn geos_radius_is_the_specs() {
        assert_eq!(Haversine.radius(), EARTH_RADIUS_M);
    }

    #[test]
    fn travel_times_match_the_specs_formula() {
        // The spec's worked example: 271, 352 and 520 s.
        let s = (30.2741, 120.155);
        let (ad, bp, bd) = (
            (30.2801, 120.1602),
            (30.2712, 120.1648),
            (30.2655, 120.1801),
        );
        assert_eq!(travel_s(s, ad, 1.3, 4.0), 271);
        assert_eq!(travel_s(ad, bp, 1.3, 4.0), 352);
        assert_eq!(travel_s(bp, bd, 1.3, 4.0), 520);
        // City-scale and continental pairs: metres agree to the last few bits, seconds exactly.
        let mut rng = StdRng::seed_from_u64(3);
        let mut worst = 0.0_f64;
        for i in 0..200_000 {
            let spread = [0.05, 0.5, 40.0][i % 3];
            let p = (rng.gen_range(-60.0..60.0), rng.gen_range(-170.0..170.0));
            let q = (
                p.0 + rng.gen_range(-spread..spread),
                p.1 + rng.gen_range(-spread..spread),
            );
            let (detour, speed) = (rng.gen_range(1.0..1.6), rng.gen_range(2.0..9.0));
            let (h, t) = spec_travel(p, q, detour, speed);
            let d = distance_m(p, q);
            worst = worst.max((d - h).abs() / h.max(1.0));
            let x = h * detour / speed;
            // A rounding boundary within 1e-6 s is where the spec allows last-bit differences.
            if ((x - x.floor()) - 0.5).abs() > 1e-6 {
                assert_eq!(travel_s(p, q, detour, speed), t, "{p:?} {q:?}");
            }
        }
        assert!(worst < 1e-14, "relative difference {worst:e}");
        // Antipodes: half the circumference, like the spec's clamp.
        let half = distance_m((0.0, 0.0), (0.0, 180.0));
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_M).abs() < 1e-6);
    }

    #[test]
    fn bearings_and_compass_words() {
        let here = (30.2745, 120.1620);
        assert_eq!(bearing_deg(here, (30.28, 120.1620)), 0.0);
        assert_eq!(compass(bearing_deg(here, (30.2745, 120.17))), "east");
        assert_eq!(compass(bearing_deg(here, (30.27, 120.157))), "south-west");
        assert_eq!(compass(bearing_deg(here, (30.28, 120.15))), "north-west");
        assert_eq!(compass(359.0), "north");
        assert_eq!(compass(-10.0), "north");
        let b = bearing_deg(here, (30.26, 120.162));
        assert!((b - 180.0).abs() < 1e-9, "{b}");
    }
}
