# Money, for every amount a courier reads (cash, pay, tips, bonuses): words/src/money.rs.

## An amount: the currency's symbol and its place (digits and grouping from ICU4X, CLDR).
money = { $currency ->
    [CNY] CN¥{ $amount }
    [HKD] HK${ $amount }
    [MOP] MOP${ $amount }
    [USD] US${ $amount }
    [EUR] €{ $amount }
    [GBP] £{ $amount }
    [JPY] JP¥{ $amount }
   *[other] { $amount } { $currency }
}
money-negative = -{ $amount }
