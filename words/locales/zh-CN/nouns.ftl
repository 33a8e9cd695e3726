# 核心在句子中使用的名词（core/src/wording.rs）：站点、检查、凭证、联系方式、操作。
# 消息 id 与核心的稳定名称一致（`StopRole::as_str`，`_` 写作 `-`）。
# 状态、班次、订单类型、异常原因、消息模板名称是界面标签：见 screens.ftl。

## 订单的站点（用在句子中：“到达取货点”）。
stop-name-pickup = 取货点
stop-name-dropoff = 送货点
stop-name-return = 退货点

## 检查清单（用在句子中：“请完成取货检查”）。
checklist-name-start-of-shift = 上班前检查
checklist-name-pickup = 取货检查
checklist-name-dropoff = 送达检查
checklist-name-failure = 配送失败检查

## 送达凭证。
proof-none = 无需凭证
proof-photo = 门口拍照
proof-signature = 顾客签名
proof-code = 顾客收货码

## 联系顾客的方式。
channel-call = 电话
channel-message = 消息

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
action-answer-case = 答复售后工单
action-set-aside = 单独放置商品
action-shift = 变更班次
