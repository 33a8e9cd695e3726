//! What a parsed scan holds: its kind, the GS1 elements read and the typed fields drawn from
//! them, and its JSON form for the shell.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::parse::system_today;
use crate::Symbology;

/// What a scanned code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CodeKind {
    /// A plain GTIN-8/12/13/14 (EAN/UPC/ITF-14).
    #[serde(rename = "gtin")]
    Gtin,
    /// A plain 18-digit SSCC.
    #[serde(rename = "sscc")]
    Sscc,
    /// A GS1 element string (raw, with FNC1/GS, or bracketed).
    #[serde(rename = "gs1")]
    Gs1ElementString,
    /// A GS1 Digital Link URI.
    #[serde(rename = "gs1_digital_link")]
    Gs1DigitalLink,
    /// The platform's order label (see [`crate::label`]).
    #[serde(rename = "order_label")]
    OrderLabel,
}

impl CodeKind {
    /// The name used in JSON: `gtin`, `sscc`, `gs1`, `gs1_digital_link`, `order_label`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeKind::Gtin => "gtin",
            CodeKind::Sscc => "sscc",
            CodeKind::Gs1ElementString => "gs1",
            CodeKind::Gs1DigitalLink => "gs1_digital_link",
            CodeKind::OrderLabel => "order_label",
        }
    }
}

/// One GS1 element: an application identifier and its (validated) data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Element {
    /// The AI's digits, e.g. `"01"`, `"3103"`.
    pub ai: String,
    /// Its data, e.g. `"09506000134352"` (GTINs in Digital Links padded to 14 digits).
    pub value: String,
}

/// A successfully parsed scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedCode {
    /// What the code is.
    pub kind: CodeKind,
    /// The symbology, when the scanner or an AIM identifier said so.
    pub symbology: Symbology,
    /// The GTIN, always 14 digits (GTIN-8/12/13 zero-padded): plain codes and AI (01).
    pub gtin: Option<String>,
    /// The SSCC, 18 digits: plain codes and AI (00).
    pub sscc: Option<String>,
    /// Batch or lot number, AI (10).
    pub batch: Option<String>,
    /// Serial number, AI (21).
    pub serial: Option<String>,
    /// Expiration date, AI (17) (or the date of AI (7003) when there is no (17)).
    pub expiry: Option<NaiveDate>,
    /// Best before date, AI (15).
    pub best_before: Option<NaiveDate>,
    /// Production date, AI (11).
    pub production_date: Option<NaiveDate>,
    /// Net weight in kilograms, AI (3100)-(3105).
    pub net_weight_kg: Option<f64>,
    /// Net weight in pounds, AI (3200)-(3205).
    pub net_weight_lb: Option<f64>,
    /// Order id of an order label.
    pub order_id: Option<String>,
    /// Parcel number (1-based) of an order label.
    pub parcel: Option<u32>,
    /// How many parcels the order has, from an order label.
    pub parcel_count: Option<u32>,
    /// Format version of an order label.
    pub label_version: Option<u32>,
    /// Every GS1 element, in the order read (element strings and Digital Links only).
    pub elements: Vec<Element>,
    /// The scan as received.
    pub raw: String,
}

impl ParsedCode {
    pub(crate) fn blank(kind: CodeKind, symbology: Symbology, raw: &str) -> Self {
        ParsedCode {
            kind,
            symbology,
            gtin: None,
            sscc: None,
            batch: None,
            serial: None,
            expiry: None,
            best_before: None,
            production_date: None,
            net_weight_kg: None,
            net_weight_lb: None,
            order_id: None,
            parcel: None,
            parcel_count: None,
            label_version: None,
            elements: Vec::new(),
            raw: raw.to_owned(),
        }
    }

    /// Whether the expiry date has passed: `expiry < today` (an item is still good on its
    /// expiry date). `false` without an expiry date.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expiry.is_some_and(|e| e < today)
    }

    /// The value of GS1 element `ai`, if the code has it.
    pub fn element(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.ai == ai)
            .map(|e| e.value.as_str())
    }

    /// The label's maximum storage temperature in degrees Celsius, as GS1 states it: AI (4331)
    /// in Celsius, else AI (4330) in Fahrenheit converted to Celsius. Both are six digits with
    /// two implied decimals and a trailing `-` below zero (`000400` is 4.00 °C, `001800-` is
    /// -18.00 °C). `None` without either AI.
    pub fn max_storage_celsius(&self) -> Option<f64> {
        let read = |ai: &str| -> Option<f64> {
            let v = self.element(ai)?;
            let (digits, negative) = match v.strip_suffix('-') {
                Some(d) => (d, true),
                None => (v, false),
            };
            let n: f64 = digits.parse::<u32>().ok()?.into();
            Some(if negative { -n / 100.0 } else { n / 100.0 })
        };
        read("4331").or_else(|| read("4330").map(|f| (f - 32.0) * 5.0 / 9.0))
    }

    /// The scan as one JSON object for the shell: `{"ok":true,"kind":…}` plus only the fields
    /// present (no nulls): `gtin` (14 digits), `sscc` (18 digits), `batch`, `serial`, `expiry`
    /// (`YYYY-MM-DD`) with `expired` (against `today`, or the device's date when `None`),
    /// `best_before`, `production_date`, `net_weight_kg`, `net_weight_lb`, `order_id`,
    /// `parcel`, `parcel_count`, `label_version`. Every GS1 element is in
    /// [`ParsedCode::elements_json`].
    pub fn to_json(&self, today: Option<NaiveDate>) -> Value {
        let mut m = Map::new();
        m.insert("ok".into(), Value::Bool(true));
        m.insert("kind".into(), self.kind.as_str().into());
        let strings = [
            ("gtin", &self.gtin),
            ("sscc", &self.sscc),
            ("batch", &self.batch),
            ("serial", &self.serial),
        ];
        for (k, v) in strings {
            if let Some(v) = v {
                m.insert(k.into(), v.as_str().into());
            }
        }
        if let Some(e) = self.expiry {
            m.insert("expiry".into(), e.to_string().into());
            let today = today.unwrap_or_else(system_today);
            m.insert("expired".into(), self.is_expired(today).into());
        }
        for (k, v) in [
            ("best_before", self.best_before),
            ("production_date", self.production_date),
        ] {
            if let Some(d) = v {
                m.insert(k.into(), d.to_string().into());
            }
        }
        for (k, v) in [
            ("net_weight_kg", self.net_weight_kg),
            ("net_weight_lb", self.net_weight_lb),
        ] {
            if let Some(w) = v {
                m.insert(k.into(), json!(w));
            }
        }
        if let Some(o) = &self.order_id {
            m.insert("order_id".into(), o.as_str().into());
        }
        for (k, v) in [
            ("parcel", self.parcel),
            ("parcel_count", self.parcel_count),
            ("label_version", self.label_version),
        ] {
            if let Some(n) = v {
                m.insert(k.into(), n.into());
            }
        }
        Value::Object(m)
    }

    /// Every GS1 element as a JSON object of AI to value, e.g. `{"01":"09506000134352",
    /// "10":"ABC"}` (empty for plain codes and order labels).
    pub fn elements_json(&self) -> Value {
        Value::Object(
            self.elements
                .iter()
                .map(|e| (e.ai.clone(), Value::from(e.value.as_str())))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::parse_at;
    use chrono::NaiveDate;

    fn celsius(raw: &str) -> Option<f64> {
        let today = NaiveDate::from_ymd_opt(2026, 6, 15).unwrap();
        parse_at(raw, today).unwrap().max_storage_celsius()
    }

    #[test]
    fn storage_temperature_in_celsius() {
        assert_eq!(celsius("(01)09506000134352(4331)000400"), Some(4.0));
        assert_eq!(celsius("(01)09506000134352(4331)001800-"), Some(-18.0));
        assert_eq!(celsius("(01)09506000134352(4331)002550"), Some(25.5));
        // Fahrenheit: 41 °F is 5 °C; -0.4 °F is -18 °C.
        assert_eq!(celsius("(01)09506000134352(4330)004100"), Some(5.0));
        let f = celsius("(01)09506000134352(4330)000040-").unwrap();
        assert!((f + 18.0).abs() < 1e-9, "{f}");
        // Celsius wins when both are given.
        assert_eq!(
            celsius("(01)09506000134352(4330)004100(4331)000200"),
            Some(2.0)
        );
        // A minimum storage temperature (4332/4333) is no maximum.
        assert_eq!(celsius("(01)09506000134352(4333)000200"), None);
        assert_eq!(celsius("(01)09506000134352"), None);
        assert_eq!(celsius("4006381333931"), None);
    }
}
