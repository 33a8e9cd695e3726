//! Barcode symbologies, as the scanner reports them or as an AIM symbology identifier
//! (ISO/IEC 15424) at the start of the data names them.

use serde::{Deserialize, Serialize};

/// The barcode symbology the scanner read, when it says (or as an AIM identifier says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(
    feature = "uniffi",
    derive(uniffi::Enum),
    uniffi(name = "ScanSymbology")
)]
pub enum Symbology {
    /// Not known: the content decides.
    #[default]
    Unknown,
    /// EAN-8 (GTIN-8).
    Ean8,
    /// EAN-13 (GTIN-13), also UPC-A read as 13 digits; an EAN-13 add-on is dropped.
    Ean13,
    /// UPC-A (GTIN-12).
    UpcA,
    /// UPC-E (zero-suppressed GTIN-12, 8 digits), expanded to its GTIN.
    UpcE,
    /// ITF (ITF-14 carries a GTIN-14).
    Itf,
    /// Code 128 without FNC1 in first position (content decides).
    Code128,
    /// GS1-128: Code 128 with FNC1 first, always an element string.
    #[serde(rename = "gs1_128")]
    Gs1_128,
    /// Code 39 (content decides).
    Code39,
    /// Data Matrix without FNC1 first (content decides).
    DataMatrix,
    /// GS1 DataMatrix, always an element string.
    Gs1DataMatrix,
    /// QR Code without FNC1 first (content decides; Digital Links live here).
    QrCode,
    /// GS1 QR Code, always an element string.
    Gs1Qr,
    /// GS1 DataBar, always an element string.
    Gs1DataBar,
    /// PDF417 (content decides).
    Pdf417,
    /// Aztec (content decides).
    Aztec,
    /// Any other symbology (content decides).
    Other,
}

impl Symbology {
    /// Whether this symbology always carries a GS1 element string.
    pub fn is_gs1(self) -> bool {
        matches!(
            self,
            Symbology::Gs1_128
                | Symbology::Gs1DataMatrix
                | Symbology::Gs1Qr
                | Symbology::Gs1DataBar
        )
    }

    /// The snake_case name used in JSON (`"gs1_128"`, `"qr_code"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Symbology::Unknown => "unknown",
            Symbology::Ean8 => "ean8",
            Symbology::Ean13 => "ean13",
            Symbology::UpcA => "upc_a",
            Symbology::UpcE => "upc_e",
            Symbology::Itf => "itf",
            Symbology::Code128 => "code128",
            Symbology::Gs1_128 => "gs1_128",
            Symbology::Code39 => "code39",
            Symbology::DataMatrix => "data_matrix",
            Symbology::Gs1DataMatrix => "gs1_data_matrix",
            Symbology::QrCode => "qr_code",
            Symbology::Gs1Qr => "gs1_qr",
            Symbology::Gs1DataBar => "gs1_data_bar",
            Symbology::Pdf417 => "pdf417",
            Symbology::Aztec => "aztec",
            Symbology::Other => "other",
        }
    }

    /// The symbology an AIM symbology identifier (`]C1`, `]d2`, `]Q3`, `]e0`, `]E0`, …)
    /// stands for, given its code letter and modifier.
    pub(crate) fn from_aim(code: u8, modifier: u8) -> Symbology {
        match (code, modifier) {
            (b'C', b'1') => Symbology::Gs1_128,
            (b'C', _) => Symbology::Code128,
            (b'd', b'2') => Symbology::Gs1DataMatrix,
            (b'd', _) => Symbology::DataMatrix,
            (b'Q', b'3' | b'4') => Symbology::Gs1Qr,
            (b'Q', _) => Symbology::QrCode,
            (b'e', _) => Symbology::Gs1DataBar,
            (b'E', b'4') => Symbology::Ean8,
            (b'E', _) => Symbology::Ean13,
            (b'I', _) => Symbology::Itf,
            (b'A', _) => Symbology::Code39,
            (b'L', _) => Symbology::Pdf417,
            (b'z', _) => Symbology::Aztec,
            _ => Symbology::Other,
        }
    }
}
