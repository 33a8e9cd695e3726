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
