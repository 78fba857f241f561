//! Helpers shared by the root integration tests that start pucha processes.

/// Whether RabbitMQ (127.0.0.1:5672) and Redis (127.0.0.1:6379) answer. When they do not,
/// the test fails saying how to start them, unless `PUCHA_SKIP_SERVICES=1` skips it.
pub fn services_up() -> bool {
    let ok = std::net::TcpStream::connect("127.0.0.1:5672").is_ok()
        && std::net::TcpStream::connect("127.0.0.1:6379").is_ok();
    if !ok {
        if std::env::var("PUCHA_SKIP_SERVICES").as_deref() == Ok("1") {
            eprintln!("skipped: RabbitMQ or Redis is not running (PUCHA_SKIP_SERVICES=1)");
            return false;
        }
        panic!(
            "this test needs RabbitMQ on 127.0.0.1:5672 and Redis on 127.0.0.1:6379: start them with \
             `rabbitmq-server -detached` and `redis-server --daemonize yes --bind 127.0.0.1 -::1 \
             --port 6379 --save \"\" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log`, \
             or set PUCHA_SKIP_SERVICES=1"
        );
    }
    true
}
