# 操作前必须先完成的事（core/src/blocker.rs）。占位符已格式化：$distance、$duration、$missing
# 由 ICU4X 格式化，$stop、$stage 来自 nouns.ftl。

blocker-not-arrived = GPS未检测到您已到达{ $stop }，请手动确认到达并填写原因
blocker-not-arrived-at-distance = GPS未检测到您已到达{ $stop }（相距{ $distance }），请手动确认到达并填写原因
blocker-on-break = 您正在休息，请先结束休息
blocker-shift-not-started = 请先开始上班
blocker-contact-attempts-needed = 请先联系顾客{ $needed }次（目前{ $made }次无人应答）
blocker-wait-at-door = 请在门口再等候{ $duration }，才能上报联系不上顾客
blocker-photo-required = 请至少上传一张照片
blocker-reason-required = 请填写原因
blocker-not-at-dropoff = 请先到达送货点
blocker-goods-on-board = 还有{ $tasks }单的货物尚未送达或退回，请先完成
blocker-ready-time-not-in-future = 新的出餐时间必须晚于现在
blocker-already-picked-up = 已取货，不能再上报商家出餐慢
blocker-items-not-confirmed = 请先扫描全部商品：已确认{ $confirmed }/{ $expected }件，还缺{ $missing }
blocker-photo-of-item-required = 请拍摄商品照片
blocker-checklist-incomplete = 请完成{ $stage }：{ $missing }
blocker-appeal-window-closed = 评价需在{ $hours }小时内申诉，这条评价已超时
blocker-rating-window-closed = 订单完成后{ $hours }小时内才能评价
blocker-proof-photo = 请在门口拍摄商品照片
blocker-proof-signature = 请顾客签名
blocker-proof-code = 请核对顾客的收货码
blocker-proof-none = 请提供送达凭证

# 多个条件写在一行时的分隔符。
blockers-separator = {"；"}

# 被拒绝的操作（“确认送达订单F1”）。
what-accept = 接订单{ $task }
what-arrive = 为订单{ $task }确认到达
what-pick-up = 确认订单{ $task }取货
what-delivered = 确认订单{ $task }送达
what-report = 上报订单{ $task }的异常
what-returned = 确认订单{ $task }已退回
what-correct-pin = 修改订单{ $task }的定位
what-confirm-item = 确认订单{ $task }的商品
what-shift = 变更班次
what-appeal = 申诉订单{ $task }的评价
what-rate-stop = 评价订单{ $task }
what-answer-case = 答复订单{ $task }的售后工单
what-set-aside = 将订单{ $task }的商品单独放置
what-other = 对订单{ $task }执行{ $action }

# 售后与召回。
blocker-recalled-items = 请先将召回商品{ $items }单独放置，不得交付
blocker-statement-too-long = 说明最多{ $max }个字
