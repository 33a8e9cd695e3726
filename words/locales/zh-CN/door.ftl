# 门口：货到付款（应收、实收、找零、交班交款）、快递柜和自提点（扫描柜码和格口）、
# 限制商品的年龄和证件核验（只记录证件种类和结果，绝不记录证件号码或出生日期）。

## 输入的金额为什么不能记录。
amount-empty = 请输入金额
amount-not-a-number = 金额不是数字
amount-too-many-decimals = { $allowed ->
    [0] { $currency }不能有小数
   *[other] { $currency }最多只能有{ $allowed }位小数
}
amount-negative = 金额不能为负，找零也不能多于实收
amount-too-large = 金额过大
amount-unknown-currency = 平台不支持币种{ $currency }
amount-currency-mismatch = 金额币种应为{ $expected }，而不是{ $found }

## 错误。
error-invalid-amount = 金额无法记录：{ $problem }。没有记录任何内容。
error-wrong-locker = 扫描的不是订单{ $task }的快递柜（自提点）码，没有记录任何内容。请到正确的快递柜重新扫描。

## 阻止条件。
blocker-id-check-refused = 证件核验未通过（{ $outcome }），不得交付商品，请上报配送失败并退回
blocker-cash-not-collected = 货到付款：请先收款{ $due }并记录
blocker-cash-reason-required = 实收减找零为{ $kept }，与应收{ $due }不符：请填写原因
blocker-locker-not-scanned = 请先扫描快递柜（自提点）码和格口码
blocker-cash-not-handed-in = 您还持有{ $held }现金，请先交款
what-collect-cash = 记录订单{ $task }的收款
what-locker-drop = 记录订单{ $task }的快递柜投递
what-hand-in-cash = 交款

## 操作名称（句中使用）、时间线、异常原因。
action-collect-cash = 记录收款
action-hand-in-cash = 交款
action-locker-drop = 快递柜投递
event-collect-cash = 已记录货到付款
event-hand-in-cash = 已交款
event-locker-drop = 已投入快递柜
reason-id-check-refused = 证件核验未通过

## 证件核验。
id-outcome-passed = 核验通过
id-outcome-underage = 未成年
id-outcome-no-document = 未出示证件
id-outcome-document-invalid = 证件无效
id-document-id-card = 身份证
id-document-passport = 护照
id-document-driving-licence = 驾驶证
id-document-residence-permit = 居住证
id-document-not-shown = 无证件
answer-id-check = { $document }：{ $outcome }
answer-id-outcome = { $outcome }
input-id-document = 核验的证件种类
checklist-id-refused = 核验未通过：不得交付，商品退回。
notice-id-refused = 证件核验未通过，本单配送失败，请将商品退回。

## 货到付款。
note-cash-due = 货到付款：应收{ $due }
note-cash-collected = 已收{ $collected }，找零{ $change }（应收{ $due }）
note-cash-discrepancy = 收款差额{ $difference }，已上报
offer-collect-cash = 记录收款（应收{ $due }）
input-cash-collected = 实收金额
input-cash-change = 找零金额
input-cash-reason = 差额原因
notice-cash-recorded = 收款已记录。
offer-hand-in-cash = 交款（持有{ $held }）
input-cash-handed = 上交金额
notice-cash-balanced = 已交款{ $handed }，账款相符。
notice-cash-short = 已交款{ $handed }，应交{ $held }，短款{ $difference }，已上报。
notice-cash-over = 已交款{ $handed }，应交{ $held }，长款{ $difference }，已上报。

## 快递柜和自提点。
locker-kind-locker = 快递柜
locker-kind-pickup-point = 自提点
note-locker = 送至{ $kind }{ $locker }：请扫描柜码和格口码
note-locker-dropped = 已投入{ $kind }{ $locker }，格口{ $compartment }
note-pickup-code = 顾客取件码：{ $code }
offer-locker-drop = 扫码投柜
input-locker-code = 快递柜码
input-compartment = 格口码
notice-locker-dropped = 已记录快递柜投递。
