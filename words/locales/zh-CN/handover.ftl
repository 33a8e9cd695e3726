# 骑手之间转单（core/src/handover.rs、core/src/custody.rs、screens/src/handover_page.rs）。
# 原因和状态的编号沿用协议中的固定名称（`_` 写作 `-`）。

## 转单原因。
handover-reason-vehicle-breakdown = 车辆故障
handover-reason-too-far = 距离太远
handover-reason-overload = 单量过多
handover-reason-ending-shift = 即将下班
handover-reason-safety = 安全原因
handover-reason-other = 其他原因

## 转单状态。
handover-status-requested = 已申请转单，等待调度指派
handover-status-assigned = 已指派接单骑手，货物仍在原骑手手中
handover-status-completed = 转单完成
handover-status-void = 转单已作废

## 货物由谁保管。
custody-mine = 由您保管
custody-incoming = 转给您的订单：逐袋扫码后才归您
custody-handed-over = 已转交其他骑手

## 拦截原因与操作名称。
blocker-handover-incoming = 货物仍在原骑手手中：请逐袋扫码接收（已扫 { $scanned }/{ $expected } 袋）
blocker-handover-pending = 该订单已申请转单
what-request-handover = 申请转出订单{ $task }
what-receive-handover = 接收订单{ $task }的转单
action-request-handover = 申请转单
action-receive-handover = 接收转单

## 页面。
offer-request-handover = 申请转单
offer-receive-handover = 扫码接收转单
offer-scan-bag = 输入袋码
input-handover-reason = 转单原因
input-handover-note = 备注
handover-title = 订单{ $task }转单
handover-progress = 已扫 { $scanned }/{ $expected } 袋
handover-reason-line = 原因：{ $reason }
handover-requested-at = { $time } 申请转单
handover-assigned-at = { $time } 指派接单骑手
handover-completed-at = { $time } 完成交接（最后一袋扫码于 { $scanned }）
handover-voided-at = { $time } 转单作废
handover-pending-sync = 尚未同步到服务器
handover-bag-scanned = 已扫码
handover-bag-waiting = 待扫码
verdict-handover-received = 全部货物已扫码：订单已转给您
notice-handover-requested = 转单申请已保存，调度指派接单骑手后会通知您
offer-show-handover = 转单详情

# 附近骑手接单（转单）
error-take-handover-to-self = 这是您自己的转单申请，不能由您接单。
error-take-courier-off-duty = 您未在岗（或正在休息）：请先上岗再接转单。
error-take-handover-already-assigned = 这单已由其他骑手接走或调度已指派。
error-take-no-handover-requested = 这单已不需要转交。
error-take-task-final = 这单已经结束，无法接单。

# 附近转单（screens/src/nearby_handovers_page.rs）
title-nearby-handovers = 附近转单
offer-open-nearby-handovers = 附近转单
offer-refresh-nearby-handovers = 刷新
offer-take-handover = 接单
offer-allow-location = 开启定位
nearby-summary = 您附近{ $radius }内其他骑手的转单申请，由近到远。
nearby-as-of = 截至 { $time }
nearby-fetching = 正在查找附近的转单申请…
nearby-taking = 正在接订单{ $task }的转单…
nearby-offline = 当前离线：列表截至 { $time }。接单需要联网。
nearby-offline-no-list = 当前离线：手机恢复联网后显示附近的转单申请。
nearby-failed = 未能获取附近的转单申请：{ $reason }
nearby-no-position = 尚未获取您的位置：请开启定位，查看附近的转单申请。
nearby-waiting-position = 正在等待定位…
nearby-needs-connection = 接单需要联网
nearby-take-under-way = 正在处理另一笔接单
nearby-empty = 附近暂无骑手申请转单。
nearby-entry-title = 订单{ $task } · 距您{ $distance }
nearby-bags = { $n } 袋
nearby-note = 备注：{ $note }
nearby-asked = { $age }前申请
notice-handover-taken = 您已接下订单{ $task }的转单：请与原骑手碰面并逐袋扫码，最后一袋扫完后订单归您。
