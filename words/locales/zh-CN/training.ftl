# 培训与资质（core/src/training.rs、screens/src/training_page.rs）。

## 入口与标题。
tab-training = 培训
title-training = 培训与资质
title-quiz = 测验：{ $module }
title-review = 半年绩效考核
action-take-quiz = 提交测验

## 培训列表。
training-empty = 平台尚未发布培训课程。
training-state-not-taken = 未参加
training-state-failed = 未通过，请重新测验
training-state-passed-awaiting-sync = 已通过，等待服务器确认
training-state-qualified = 已获得资质
training-state-expires-soon = 资质即将到期
training-state-expired = 资质已过期，请重新测验
training-state-replaced = 课程已更新，请参加新版测验
training-valid-until = 有效期至 { $date }
training-expired-on = 已于 { $date } 过期
training-valid-forever = 长期有效
training-needed-for = 接单要求：{ $what }
training-goods = { $class }商品
training-expiry-warning = “{ $module }”资质将于 { $date } 到期（还剩 { $days } 天），请及时重新测验。
notify-qualification-soon-title = 资质即将到期
notify-qualification-soon-body = “{ $module }”资质将于 { $date } 到期，请及时重新测验。
notify-qualification-today-title = 资质今天到期
notify-qualification-today-body = “{ $module }”资质今天（{ $date }）到期，请重新测验以保持资质。
training-quiz-summary = 共 { $questions } 道题 · 及格线 { $mark }
training-last-attempt = 上次测验：答对 { $correct }/{ $total }
training-last-attempt-refused = 上次提交的是旧版课程的答案，未被记录
offer-open-module = 查看课程
offer-start-quiz = 开始测验
offer-show-review = 半年绩效考核

## 测验。
quiz-question-number = 第 { $n } 题，共 { $total } 题
quiz-chosen = 已选：{ $choice }
quiz-not-answered = 尚未作答
offer-submit-quiz = 提交答案
quiz-unanswered = 还有 { $n } 道题未作答
notice-quiz-passed = 测验通过：答对 { $correct }/{ $total }。资质将在下次同步后生效。
notice-quiz-failed = 未通过：答对 { $correct }/{ $total }，及格线 { $mark }。请复习后重新测验。

## 半年绩效考核。
review-period = { $from } 至 { $until } · 共 { $deliveries } 单
review-qualifications = 资质
review-no-qualifications = 暂无资质

## 阻止原因与错误。
blocker-not-qualified = 该订单需要先通过“{ $modules }”培训并持有有效资质
error-module-not-found = 手机上没有这门培训课程。
error-module-replaced = 这门课程已更新到第 { $version } 版，旧版答案不会被记录，请参加新版测验。
