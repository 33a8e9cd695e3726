# 金额，快递员读到的每一笔钱（货到付款、收入、小费、奖励）都用它：words/src/money.rs。

## 金额：币种符号和位置（数字、分组由 ICU4X 按 CLDR 格式化）。
money = { $currency ->
    [CNY] ¥{ $amount }
    [HKD] HK${ $amount }
    [MOP] MOP${ $amount }
    [USD] US${ $amount }
    [EUR] €{ $amount }
    [GBP] £{ $amount }
    [JPY] JP¥{ $amount }
   *[other] { $amount } { $currency }
}
money-negative = -{ $amount }
