# 收入与奖励（core/src/earnings.rs、screens/src/earnings_page.rs）。金额由 words 的
# money 格式化（ICU4X 数字，币种符号见 money.ftl），占位符 $amount、$bonus 已格式化。

## 收入明细的类别。
pay-kind-base = 基础配送费
pay-kind-distance = 距离补贴
pay-kind-peak = 高峰补贴
pay-kind-waiting = 等候补贴
pay-kind-tip = 顾客打赏
pay-kind-adjustment = 调整
pay-kind-bonus = 奖励金

## 页面。
title-earnings = 我的收入
tab-earnings = 收入
earnings-period-day = 今天 · { $date }
earnings-period-week = 本周（{ $date }起）
offer-earnings-day = 看今天
offer-earnings-week = 看本周
earnings-total = 合计{ $amount }
earnings-confirmed = 已确认{ $amount }
earnings-expected = 预计{ $amount }，待平台确认
earnings-empty = 这段时间还没有收入。
earning-line-title = { $kind } · 订单{ $task }
pay-state-expected = 预计
pay-state-confirmed = 已确认
pay-appeal-upheld = 申诉成功
notice-pay-appealed = 申诉已提交。
notify-pay-appeal-upheld = 收入申诉成功
notify-pay-appeal-rejected = 收入申诉未通过
notify-pay-appeal-body = { $line }（{ $amount }），详情见“我的收入”

## 奖励活动。
incentive-title = 本周完成{ $target }单且准时率不低于{ $rate }，奖励{ $bonus }
incentive-progress = 已完成{ $done }/{ $target }单 · 准时率{ $rate }
incentive-progress-no-rate = 已完成{ $done }/{ $target }单
incentive-met = 已获得奖励
incentive-more = 还差{ $n }单
incentive-below-rate = 准时率低于{ $rate }

## 操作与限制。
action-appeal-pay = 申诉收入
what-appeal-pay = 申诉这笔收入
blocker-pay-not-confirmed = 这笔收入还在等待平台确认，确认后才能申诉
