# 骑手发给顾客的消息（core/src/contact.rs），使用顾客的语言。$eta 已格式化（“6分钟”）。

customer-arriving-in = 您的骑手预计{ $eta }后送达。
customer-on-the-way = 您的骑手正在赶来的路上。
customer-at-the-door = 您的骑手已到达门口。
customer-left-at-reception = 您的订单已放在前台。
customer-left-at-door = 您的订单已放在门口。
