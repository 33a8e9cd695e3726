# 派单邀约（core/src/offer.rs、core/src/offer_impact.rs、screens/src/task_offer_page.rs）。
# 拒单原因的编号沿用协议中的固定名称（`_` 写作 `-`）。

## 拒单原因。
decline-reason-too-far = 太远
decline-reason-box-full = 餐箱已满
decline-reason-wrong-direction = 方向不顺
decline-reason-ending-shift = 即将下班
decline-reason-other = 其他原因

## 页面与导航。
title-offers = 派单
tab-offers = 派单
offers-empty = 暂无派单。
offer-title = { $count ->
    [1] 派单{ $offer }：1单
   *[other] 派单{ $offer }：{ $count }单合并
}
offer-left = 剩余{ $duration }可应答
offer-answer-by = 请在{ $time }前应答
offer-state-open = 等待您应答
offer-state-accept-sent = 已接单，等待调度确认
offer-state-decline-sent = 已拒单，正在发送
offer-state-refused = 接单失败：您的接单到达调度时派单已过期，订单未加入您的任务。
offer-state-refused-withdrawn = 接单失败：您的接单到达调度前派单已被撤回，订单未加入您的任务。
offer-task-line = { $kind }：{ $from } → { $to }
offer-task-pickup-ready = 取货点{ $time }出餐
offer-task-due = 承诺{ $time }送达
offer-impact = 接单后路线增加{ $duration }、{ $distance }
offer-impact-finish = 预计{ $time }完成全部订单（原为{ $before }）
offer-impact-finish-new = 预计{ $time }完成
offer-impact-unplannable = 无法将此派单排入您当前的路线。
offer-impact-safe = 不影响任何承诺送达时间
offer-impact-box-full = 配送箱装不下：与车上货物合计超出容量
offer-risk-late = 将超时
offer-risk-at-risk = 可能超时
offer-risk-line = { $risk }：{ $what }承诺{ $due }，预计{ $eta }到达
offer-risk-offered = 新派订单{ $task }的{ $role }
offer-risk-own = 您手上订单{ $task }的{ $role }

## 操作。
offer-accept = 接单
offer-decline = 拒单：{ $reason }
input-decline-note = 备注（可选）

## 提示与通知。
notice-offer-accepted = 已接单。调度确认后订单会加入您的任务。
notice-offer-declined = 已拒单。
notice-offer-refused = 接单失败：派单{ $offer }在您的接单到达调度前已过期，订单未加入您的任务。
notify-offer-title = 新派单
notify-offer-body = { $title }，请在{ $duration }内应答
notify-offer-refused-title = 派单已过期
notify-offer-refused-body = 派单{ $offer }已过期，您的接单未生效。
notice-offer-withdrawn-refused = 接单失败：派单{ $offer }在您的接单到达调度前已被撤回，订单未加入您的任务。
notify-offer-withdrawn-title = 派单已撤回
notify-offer-withdrawn-body = 调度已撤回{ $title }，无需再应答。
notify-offer-withdrawn-refused-body = 派单{ $offer }已被撤回，您的接单未生效。

## 错误。
error-offer-not-found = 本机没有派单{ $offer }。
error-offer-expired = 派单{ $offer }已过期，无法再应答。
error-offer-answered = 派单{ $offer }已经应答过了。

## 动作名与时间线。
action-accept-offer = 接单
action-decline-offer = 拒单
event-accept-offer = 已接受派单
event-decline-offer = 已拒绝派单
