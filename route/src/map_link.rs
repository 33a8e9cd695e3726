//! Hand-off to map apps: deep links for Google Maps, Apple Maps, Waze, Amap and Baidu Maps,
//! each carrying the destination in the datum the app expects where it is.

use crate::datum::{convert, in_mainland_china, Datum};

/// A map app the courier can hand navigation to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum MapApp {
    /// Google Maps (WGS-84).
    Google,
    /// Apple Maps (GCJ-02 in mainland China).
    Apple,
    /// Waze (WGS-84).
    Waze,
    /// Amap / Gaode (GCJ-02 in mainland China).
    Amap,
    /// Baidu Maps (BD-09 in mainland China).
    Baidu,
}

impl MapApp {
    /// Every app, in display order.
    pub const ALL: [MapApp; 5] = [
        MapApp::Google,
        MapApp::Apple,
        MapApp::Waze,
        MapApp::Amap,
        MapApp::Baidu,
    ];

    /// The datum the app expects for a WGS-84 point at `(lat, lon)`: outside mainland China
    /// every app takes WGS-84.
    pub fn datum_at(self, lat: f64, lon: f64) -> Datum {
        if !in_mainland_china(lat, lon) {
            return Datum::Wgs84;
        }
        match self {
            MapApp::Google | MapApp::Waze => Datum::Wgs84,
            MapApp::Apple | MapApp::Amap => Datum::Gcj02,
            MapApp::Baidu => Datum::Bd09,
        }
    }

    /// Its name in links and settings: `google`, `apple`, `waze`, `amap` or `baidu`.
    pub fn name(self) -> &'static str {
        match self {
            MapApp::Google => "google",
            MapApp::Apple => "apple",
            MapApp::Waze => "waze",
            MapApp::Amap => "amap",
            MapApp::Baidu => "baidu",
        }
    }
}

fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A navigation link to a WGS-84 destination for `app`, in the datum the app expects there
/// (and, for Amap and Baidu, saying which). `label` is shown by apps that take one (never
/// logged).
pub fn navigation_link(app: MapApp, lat: f64, lon: f64, label: &str) -> String {
    let datum = app.datum_at(lat, lon);
    let (la, lo) = convert(lat, lon, Datum::Wgs84, datum);
    let name = percent(label);
    let amap_coordinate = if datum == Datum::Gcj02 {
        "gaode"
    } else {
        "wgs84"
    };
    let baidu_coord_type = if datum == Datum::Bd09 {
        "bd09ll"
    } else {
        "wgs84"
    };
    match app {
        MapApp::Google => format!(
            "https://www.google.com/maps/dir/?api=1&destination={la:.6},{lo:.6}&travelmode=bicycling"
        ),
        MapApp::Apple => format!("https://maps.apple.com/?daddr={la:.6},{lo:.6}&q={name}"),
        MapApp::Waze => format!("https://waze.com/ul?ll={la:.6},{lo:.6}&navigate=yes"),
        MapApp::Amap => format!(
            "https://uri.amap.com/navigation?to={lo:.6},{la:.6},{name}&mode=ride&coordinate={amap_coordinate}&callnative=1"
        ),
        MapApp::Baidu => format!(
            "https://api.map.baidu.com/direction?destination=latlng:{la:.6},{lo:.6}|name:{name}&coord_type={baidu_coord_type}&mode=riding&output=html&src=app.runsheet.courier"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_link_carries_its_apps_datum() {
        let (lat, lon) = (30.2741, 120.155);
        let gcj = convert(lat, lon, Datum::Wgs84, Datum::Gcj02);
        let bd = convert(lat, lon, Datum::Wgs84, Datum::Bd09);
        let google = navigation_link(MapApp::Google, lat, lon, "Li Wei");
        assert!(
            google.contains("destination=30.274100,120.155000"),
            "{google}"
        );
        let amap = navigation_link(MapApp::Amap, lat, lon, "Li Wei");
        assert!(
            amap.contains(&format!("to={:.6},{:.6},Li%20Wei", gcj.1, gcj.0)),
            "{amap}"
        );
        let baidu = navigation_link(MapApp::Baidu, lat, lon, "门口");
        assert!(
            baidu.contains(&format!("latlng:{:.6},{:.6}", bd.0, bd.1)),
            "{baidu}"
        );
        assert!(baidu.contains("%E9%97%A8%E5%8F%A3"));
        let apple_cn = navigation_link(MapApp::Apple, lat, lon, "x");
        assert!(apple_cn.contains(&format!("daddr={:.6},{:.6}", gcj.0, gcj.1)));
        let apple_uk = navigation_link(MapApp::Apple, 51.5007, -0.1246, "x");
        assert!(apple_uk.contains("daddr=51.500700,-0.124600"));
        assert!(navigation_link(MapApp::Waze, lat, lon, "x").contains("ll=30.274100,120.155000"));
        assert!(amap.contains("coordinate=gaode"));
        assert!(baidu.contains("coord_type=bd09ll"));
    }

    #[test]
    fn abroad_links_carry_wgs84_and_say_so() {
        // Hong Kong and Tokyo: every app gets the WGS-84 point, Baidu's link included.
        for (lat, lon) in [(22.2819, 114.1582), (35.6762, 139.6503)] {
            for app in MapApp::ALL {
                assert_eq!(app.datum_at(lat, lon), Datum::Wgs84, "{app:?}");
            }
            let baidu = navigation_link(MapApp::Baidu, lat, lon, "x");
            assert!(
                baidu.contains(&format!("latlng:{lat:.6},{lon:.6}"))
                    && baidu.contains("coord_type=wgs84"),
                "{baidu}"
            );
            let amap = navigation_link(MapApp::Amap, lat, lon, "x");
            assert!(
                amap.contains(&format!("to={lon:.6},{lat:.6},x"))
                    && amap.contains("coordinate=wgs84"),
                "{amap}"
            );
        }
        assert_eq!(MapApp::Baidu.name(), "baidu");
    }
}

/// A deep link that opens a maps app at a place, in the datum that app expects there.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct NavigationLink {
    /// The maps app.
    pub app: MapApp,
    /// The URL to open.
    pub url: String,
}

/// A link for every maps app of [`MapApp::ALL`] to the WGS-84 point `(lat, lon)`.
pub fn navigation_links(lat: f64, lon: f64, label: &str) -> Vec<NavigationLink> {
    MapApp::ALL
        .iter()
        .map(|&app| NavigationLink {
            app,
            url: navigation_link(app, lat, lon, label),
        })
        .collect()
}
