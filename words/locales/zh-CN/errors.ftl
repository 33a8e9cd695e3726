# 出错时骑手看到的提示（core/src/error.rs，`Error::sentence`）。
# 不含顾客信息、令牌或技术细节：这些以英文写入日志。

error-storage = 手机存储出错，请重启应用后重试。
error-newer-version = 手机上的数据来自更新版本的应用，请更新应用。
error-corrupt = 手机上的数据已损坏，已原样保留，请联系客服。
error-wrong-key = 无法打开手机上的数据，已原样保留，请重新登录或联系客服。
error-task-not-found = 订单{ $task }不在您的任务列表中。
error-invalid-transition = 订单{ $task }当前为“{ $status }”，现在无法{ $action }。
error-blocked = 暂时无法{ $what }：{ $blockers }。
error-invalid-argument = 输入的内容无法使用，请检查后重试。
error-offline = 无法连接服务器。您的操作已保存，联网后会自动上传。
error-auth-required = 登录已过期，请重新登录；本机保存的操作不会丢失。
error-server-busy = 服务器繁忙，稍后会自动重试。
error-server-busy-retry = 服务器繁忙，{ $duration }后会自动重试。
error-server-refused = 服务器拒绝了此操作（HTTP { $status }）。
error-bad-response = 无法识别服务器的回复，未做任何更改，稍后会自动重试。
error-protocol = 与服务器同步出错，未做任何更改，请联系客服。

# 售后工单。
error-case-not-found = 本机没有售后工单{ $case }。
error-case-settled = 售后工单{ $case }当前为“{ $status }”，不再接受说明。
