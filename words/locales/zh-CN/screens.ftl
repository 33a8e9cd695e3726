# 单位与格式（数字由 ICU4X 按语言格式化）。
unit-m = { $value }米
unit-km = { $value }公里
unit-seconds = { $n }秒
unit-minutes = { $n }分钟
unit-hours-minutes = { $h }小时{ $m }分钟
unit-percent = { $value }%

# 任务或班次的主操作。
step-start-shift = 开始上班
step-end-break = 结束休息
step-accept = 接单
step-arrive-pickup = 已到店
step-arrive-dropoff = 已到达送货点
step-arrive-return = 已到达退货点
step-pick-up = 确认取货
step-deliver = 确认送达
step-return = 确认退回
step-end-shift = 下班
step-wait-for-tasks = 等待派单
list-separator = {"；"}

# 标题与导航。
title-sign-in = 登录
title-tasks = 订单
title-scan = 扫码核对
title-problem = 异常上报
title-ratings = 评价
title-kpis = 我的数据
tab-tasks = 订单
tab-ratings = 评价
tab-kpis = 数据
tab-language = English
offer-back = 返回
tap-not-offered = 当前页面已没有这个操作。

# 登录与同步横幅。
sign-in-text = 登录后即可接收订单。本机已保存的操作不会丢失。
offer-sign-in = 登录
input-token = 访问令牌
input-token-required = 请输入访问令牌。
banner-sign-in = { $pending ->
    [0] 登录已过期，请重新登录。
   *[other] 登录已过期，请重新登录以发送本机保存的 { $pending } 条操作。
}
banner-synced = 全部已上传。
banner-offline = 无网络，操作已保存在本机。
banner-offline-pending = 无网络 · 本机保存 { $pending } 条操作，最早的已等待 { $age }
banner-pending = { $pending } 条操作尚未上传，最早的已等待 { $age }
banner-uploading = 正在上传 { $pending } 条操作…
offer-sync-now = 立即同步

# 班次栏。
shift-off-duty = 未上班
shift-on-duty = 上班中
shift-on-break = 休息中
shift-figures = 已上班 { $duration } · { $distance } · 已送达 { $delivered } 单
shift-figures-off = 开始上班后即可接单。
offer-start-break = 休息一下
offer-start-of-shift-checklist = 上班前检查

# 订单列表。
tasks-summary = 当前 { $now } · 接下来 { $next } · 稍后 { $later } · 今日完成 { $done }
tasks-empty = 暂无订单，新订单会显示在这里。
group-now = 当前
group-next = 接下来
group-later = 稍后
group-done-today = 今日完成
task-title = { $from } → { $to }
customer-removed = 顾客信息已清除
row-due = { $time } 前送达
row-unsent = { $n } 条操作未上传
lateness-on-time = 准时 · 预计 { $eta }
lateness-at-risk = 可能超时 · 预计 { $eta }
lateness-late = 已超时 · 预计 { $eta }
offer-open-task = 详情

# 状态与类型。
status-assigned = 新订单
status-accepted = 已接单
status-at-pickup = 已到店
status-picked-up = 配送中
status-at-dropoff = 已到达
status-delivered = 已送达
status-failed = 配送失败，待退回
status-returned = 已退回
status-cancelled = 已取消
kind-food = 外卖
kind-grocery = 生鲜商超
kind-parcel = 快递
kind-return-pickup = 上门取件
role-pickup = 取货点
role-dropoff = 送货点
role-return = 退货点
temperature-ambient = 常温
temperature-chilled = 冷藏
temperature-frozen = 冷冻
temperature-hot = 保温

# 订单详情。
stop-ready = { $time } 出餐
stop-due = { $time } 前送达
stop-eta = 预计 { $time }
item-name = { $quantity ->
    [1] { $name }
   *[other] { $name } × { $quantity }
}
item-confirmed = 已核对
item-pending = 待扫码
offer-call-customer = 联系顾客
offer-record-call = 无人接听
template-arriving-in = 发消息：即将送达
template-at-the-door = 发消息：已到门口
template-left-at-reception = 发消息：已放前台
template-left-at-door = 发消息：已放门口
offer-open-map = 用{ $app }导航
map-app-google = 谷歌地图
map-app-apple = 苹果地图
map-app-waze = Waze
map-app-amap = 高德地图
map-app-baidu = 百度地图
offer-scan-items = 扫码核对
offer-checklist = 检查单：{ $stage }
offer-proof-photo = 拍摄送达照片
offer-signature = 顾客签收
offer-handoff-code = 输入收货码
input-handoff-code = 顾客收货码
offer-report-problem = 异常上报
note-contactless = 无接触配送：放在门口并拍照。
note-handoff-code = 顾客会出示收货码，交付前请核验。
note-handoff-code-verified = 收货码已核验。
note-proof-taken = 已拍 { $n } 张送达照片
no-phone = 该订单没有可拨打的号码。
input-reason = 原因
event-accept = 已接单
event-arrive = 已到达
event-pick-up = 已取货
event-delivered = 已送达
event-fail = 配送失败
event-returned = 已退回
event-report-exception = 已上报异常
event-correct-pin = 已修正定位
event-contact-attempt = 已联系顾客
event-send-message = 已发送消息
event-scan = 已扫码
event-confirm-item = 已手动核对
event-handoff-code = 已输入收货码
event-answer = 已填写检查单
event-rate-stop = 已评价
event-appeal = 已申诉
event-shift = 班次变更
event-other = { $kind }

# 扫码。
scan-progress = { $stage }：已核对 { $confirmed }/{ $expected }
offer-start-camera = 打开相机
offer-type-code = 手动输入条码
input-code = 条码
input-code-required = 请输入或扫描条码。
offer-done-scanning = 完成
offer-item-photo = 拍摄标签
offer-confirm-by-hand = 手动核对
camera-denied = 没有相机权限：请手动输入条码，或拍照后手动核对。
verdict-confirmed = 核对成功。
verdict-duplicate = 已经扫过了。
verdict-other-task = 拿错了：这是订单 { $task } 的货品。
verdict-not-mine = 不是你的订单，请勿取走。
verdict-unreadable = 条码无法识别，请重新扫描。
verdict-expired = 已于 { $date } 过期：请勿交付，并上报。
verdict-wrong-temperature = 温层不符：订单要求{ $expected }，标签为{ $found }。请勿交付。

# 检查单。
stage-start-of-shift = 上班前
stage-pickup = 取货
stage-dropoff = 送达
stage-failure = 配送失败
checklist-summary = 已完成 { $done }/{ $total }
answer-confirm = 完成
answer-confirmed = 已完成
answer-yes = 是
answer-no = 否
answer-enter = 填写
answer-choose = 选择
answer-scan = 扫码
answer-signed = 已签名
answer-photos = { $n } 张照片
input-number = 数值（{ $unit }）
offer-checklist-photo = 拍照
checklist-out-of-range = 超出范围：允许 { $min } 至 { $max } { $unit }。
checklist-needs-yes = 按规范此项应为“是”。
checklist-needs-no = 按规范此项应为“否”。

# 异常上报。
reason-customer-unreachable = 联系不上顾客
reason-wrong-address = 地址错误
reason-customer-refused = 顾客拒收
reason-goods-damaged = 货品损坏
reason-merchant-delay = 商家出餐慢
reason-vehicle-breakdown = 车辆故障
reason-accident = 交通事故
reason-checklist-breach = 违反操作规范
problem-ends-delivery = 将结束配送，货品需退回。
problem-goes-on = 订单继续配送。
problem-photos = { $n ->
    [0] 尚未添加照片
   *[other] 已添加 { $n } 张照片
}
offer-problem-photo = 添加照片
input-note = 备注
input-ready-in = 预计出餐（分钟）
input-ready-in-range = 请填写距出餐的分钟数：1 至 { $max }。

# 评价。
rating-source-customer = 顾客
rating-source-merchant = 商家
rating-source-platform = 平台
rating-title = { $stars ->
    [0] 来自{ $source }
   *[other] { $source }评价 { $stars } 星
}
appeal-pending = 申诉处理中
appeal-upheld = 申诉成功，不计入考核
appeal-rejected = 申诉未通过
offer-appeal = 申诉（截至 { $until }）
offer-rate-merchant = 评价商家
offer-rate-dropoff = 评价送货点
input-stars = 星级（1 至 5）
input-stars-range = 请给出 1 至 5 星。
input-comment = 说明
rate-until = { $time } 前可评价
ratings-empty = 暂无评价。

# 数据。
kpi-period-month = 本月 · 共 { $deliveries } 单
kpi-on-time = 准时率
kpi-peak-time = 高峰平均配送时长
kpi-off-peak-time = 平峰平均配送时长
kpi-order-errors = 差错率
kpi-delays = 超时 10 分钟以上
kpi-satisfaction = 满意度
kpi-minutes = { $n } 分钟
kpi-at-least = 目标：不低于 { $target }
kpi-at-most = 目标：不高于 { $target }
kpi-no-value = —
kpi-no-data = 暂无数据
kpi-below-target = 未达标
kpi-on-target = 已达标

# 操作后的提示。
notice-delivered = 已送达。
notice-code-verified = 收货码正确，请交付货品。
notice-code-wrong = 收货码错误，还可尝试 { $left } 次。
notice-code-locked = 错误次数过多：请拍照交付或联系客服。
notice-message-queued = 消息已排队发送给顾客。
notice-report-sent = 异常已上报。
notice-rated = 感谢评价。
notice-appealed = 申诉已提交。

# 请求系统操作。
prompt-proof-photo = 请拍摄货品放置处的照片。
prompt-signature = 请签名确认已收到订单。
prompt-problem-photo = 请拍摄异常情况。
prompt-item-photo = 请拍摄货品标签。
prompt-checklist-photo = 请按检查单要求拍照。
rationale-camera = 相机用于扫描所送订单的标签。
rationale-location = 位置信息用于识别到店和送达。
rationale-background-location = 上班期间，使用导航软件时也需持续识别到达。
rationale-notifications = 通知会提醒你新订单和可能超时的站点。
notify-new-task-title = 新订单
notify-new-task-body = { $title }
notify-late-title = 站点可能超时
notify-late-body = { $title } 的{ $role }：{ $due } 前送达，预计 { $eta }。
notify-refused-title = 操作被拒绝
notify-refused-body = 服务器拒绝了订单 { $task } 的一条操作，请打开查看原因。
notify-rating = 新评价
notify-appeal-upheld = 申诉成功
notify-appeal-rejected = 申诉未通过
notify-rating-body = { $stars ->
    [0] 订单 { $task }
   *[other] 订单 { $task }：{ $stars } 星
}
input-not-a-number = “{ $text }”不是数字。
input-unknown-field = 这个操作不需要该项输入。
note-no-location = 本应用未获得定位权限，无法自动识别到达。请手动确认到达并填写原因。
banner-photos-missing = 有 { $n } 张照片在上传前丢失，请尽量重新拍摄。
