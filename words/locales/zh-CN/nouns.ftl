# 共用名词：状态、站点、检查、凭证、异常原因、联系方式、消息模板、操作。
# 消息 id 与核心的稳定名称一致（`TaskStatus::as_str`，`_` 写作 `-`）。

## 任务列表上的订单状态。
status-assigned = 新订单
status-accepted = 已接单
status-at-pickup = 已到店
status-picked-up = 配送中
status-at-dropoff = 已到达
status-delivered = 已送达
status-failed = 配送失败，退回中
status-returned = 已退回
status-cancelled = 已取消

## 骑手的班次。
shift-off-duty = 已下班
shift-on-duty = 上班中
shift-on-break = 休息中

## 订单类型。
kind-food = 外卖
kind-grocery = 生鲜商超
kind-parcel = 包裹
kind-return-pickup = 上门取件

## 订单的站点（用在句子中：“到达取货点”）。
role-pickup = 取货点
role-dropoff = 送货点
role-return = 退货点

## 检查清单（用在句子中：“请完成取货检查”）。
stage-start-of-shift = 上班前检查
stage-pickup = 取货检查
stage-dropoff = 送达检查
stage-failure = 配送失败检查

## 送达凭证。
proof-none = 无需凭证
proof-photo = 门口拍照
proof-signature = 顾客签名
proof-code = 顾客收货码

## 异常上报的原因。
reason-customer-unreachable = 联系不上顾客
reason-wrong-address = 地址错误
reason-customer-refused = 顾客拒收
reason-goods-damaged = 商品破损
reason-merchant-delay = 商家出餐慢
reason-vehicle-breakdown = 车辆故障
reason-accident = 事故或安全问题
reason-checklist-breach = 不符合操作规范

## 联系顾客的方式。
channel-call = 电话
channel-message = 消息

## 可以发给顾客的消息。
template-arriving-in = 即将送达
template-at-the-door = 已到门口
template-left-at-reception = 已放前台
template-left-at-door = 已放门口

## 骑手的操作（用在句子中：“现在无法接单”）。
action-accept = 接单
action-arrive = 确认到达
action-pick-up = 确认取货
action-delivered = 确认送达
action-fail = 上报配送失败
action-returned = 确认退回
action-report-exception = 异常上报
action-correct-pin = 修改定位
action-contact-attempt = 联系顾客
action-send-message = 给顾客发消息
action-scan = 扫码
action-confirm-item = 确认商品
action-handoff-code = 核对收货码
action-answer = 填写检查项
action-rate-stop = 评价
action-appeal = 申诉
action-shift = 变更班次
