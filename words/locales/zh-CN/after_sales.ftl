# 售后工单与召回（core/src/cases.rs、core/src/recall.rs、screens/src/cases_page.rs）。
# 类型、状态、团队和责任的编号沿用协议中的固定名称（`_` 写作 `-`）。

## 工单类型。
case-kind-enquiry = 顾客咨询
case-kind-late = 配送超时
case-kind-damaged = 商品损坏
case-kind-wrong-item = 送错商品
case-kind-missing-item = 商品缺漏
case-kind-not-received = 未收到货
case-kind-conduct = 骑手服务态度
case-kind-other = 其他投诉
case-kind-return-request = 退货申请
case-kind-exchange-request = 换货申请
case-kind-delivery-exception = 配送异常
case-kind-conflict = 数据冲突
case-kind-cold-chain-breach = 冷链异常
case-kind-low-rating = 差评
case-kind-handoff-code-failed = 收货码错误
case-kind-recall = 召回商品

## 工单状态。
case-status-open = 待处理
case-status-acknowledged = 已受理
case-status-waiting-for-courier = 等待您的说明
case-status-resolved = 已解决
case-status-rejected = 已驳回
case-status-closed = 已关闭
case-status-reopened = 已重新打开

## 负责团队。
case-team-enquiries = 咨询组
case-team-complaints = 投诉组
case-team-returns = 退换货组
case-team-delivery-problems = 配送问题组

## 订单差错的责任方。
fault-courier = 计入您的订单差错
fault-merchant = 计入商家责任
