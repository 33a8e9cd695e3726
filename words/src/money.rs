//! Money in the courier's language: an integer amount of a currency's minor units with the
//! currency's exponent, its digits and grouping from ICU4X (CLDR) and the currency's symbol
//! and position from the `money` message (Fluent), so "CN¥45.50" and "¥45.50" are data.

use crate::{format, Args, Words};

impl Words {
    /// `minor` units of `currency` (ISO 4217) with `exponent` minor digits, as the language
    /// writes it ("CN¥45.50"; Chinese "¥45.50"); a negative amount keeps its sign.
    pub fn money(&self, minor: i64, exponent: u8, currency: &str) -> String {
        let magnitude = i64::try_from(minor.unsigned_abs()).unwrap_or(i64::MAX);
        let amount = format::decimal(self.language(), magnitude, i16::from(exponent));
        let text = self.text(
            "money",
            &Args::new()
                .str("amount", amount)
                .str("currency", currency.to_owned()),
        );
        if minor < 0 {
            self.text("money-negative", &Args::new().str("amount", text))
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Language, Words};

    #[test]
    fn amounts_read_with_the_currency_s_digits_and_symbol() {
        let en = Words::of(Language::En);
        let zh = Words::of(Language::ZhCn);
        assert_eq!(en.money(4550, 2, "CNY"), "CN¥45.50");
        assert_eq!(zh.money(4550, 2, "CNY"), "¥45.50");
        assert_eq!(en.money(123_456_700, 2, "CNY"), "CN¥1,234,567.00");
        assert_eq!(en.money(1500, 0, "JPY"), "JP¥1,500");
        assert_eq!(zh.money(-50, 2, "CNY"), "-¥0.50");
        assert_eq!(en.money(5, 3, "KWD"), "0.005 KWD");
        // The extremes saturate, never panic.
        assert_eq!(
            en.money(i64::MIN, 2, "CNY"),
            "-CN¥92,233,720,368,547,758.07"
        );
    }
}
