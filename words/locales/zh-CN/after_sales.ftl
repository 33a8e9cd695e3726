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

## 工单列表与工单详情。
title-cases = 我的售后工单
title-case = 售后工单{ $case }
tab-cases = 售后
cases-empty = 暂无与您配送相关的售后工单。
case-title = 工单{ $case } · { $kind }
case-about-task = 关联订单{ $task }
case-opened = { $time }创建
case-answer-by = 请在{ $time }前答复（{ $left }）
case-settle-by = 应在{ $time }前处理完毕（{ $left }）
case-due-in = 还剩{ $duration }
case-overdue = 已超时
case-breached = 此工单已有期限超时。
case-statement = 您的说明：{ $text }
case-statement-pending = 您的说明已保存在本机，下次同步时发送。
case-resolution = 处理结果：{ $text }
case-follow-up = 后续订单{ $task }
offer-answer-case = 答复
offer-show-case = 查看
input-statement = 情况说明（最多2000字）

## 订单关联的工单、回收商品与召回商品。
task-case-link = 工单{ $case }：{ $kind }（{ $status }）
note-created-by-case = 由售后工单{ $case }（{ $kind }）创建
note-take-back = 上门时回收：{ $items }
item-recalled = 已召回：请单独放置，不得交付
item-set-aside = 已单独放置（不交付）
offer-set-aside = 单独放置
verdict-recalled = 该批次已召回（{ $reason }）：不得交付，请单独放置。
notice-case-answered = 说明已保存，下次同步时发送。
notice-set-aside = 商品已单独放置，不会交付。
event-answer-case = 已答复售后工单
event-set-aside = 已单独放置召回商品

## 通知。
notify-case-waiting = 有售后工单等待您的说明
notify-case-new = 您的配送有新的售后工单
notify-case-body = { $kind } · 订单{ $task }

## 数据页的售后指标。
kpi-cases = 售后工单
kpi-complaints = 每百单投诉数
kpi-cases-within-deadline = 按时处理的工单
kpi-cases-breached = 超时工单
kpi-no-target = 无目标
