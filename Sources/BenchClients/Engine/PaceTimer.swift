import CTimerFD
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// The open loop's alarm clock: a timer descriptor of the driver's own, watched by its event loop.
///
/// Why not NIO's scheduled callbacks: NIO programs the kernel timer when the loop is about to sleep,
/// that is after the callback has written its request. On a virtual machine that programming traps to
/// the hypervisor (5–10 µs measured here), and when client and target share a CPU it sits inside the
/// request's service time. With a descriptor of its own the driver arms the next wake-up before it
/// writes. Where there is no timerfd (not Linux) `start` gives nil and the driver uses NIO's timers.
final class PaceTimer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let descriptor: CInt
    private let fire: () -> Void
    private var channel: Channel?

    private init(descriptor: CInt, fire: @escaping () -> Void) {
        self.descriptor = descriptor
        self.fire = fire
    }

    /// A timer whose expiries call `fire` on `eventLoop`; nil where the system has no timer descriptors.
    static func start(on eventLoop: EventLoop, fire: @escaping () -> Void) -> EventLoopFuture<NIOLoopBound<PaceTimer>?> {
        #if os(Linux)
        let descriptor = bench_timerfd_create()
        guard descriptor >= 0 else { return eventLoop.makeSucceededFuture(nil) }
        let timer = PaceTimer(descriptor: descriptor, fire: fire)
        let bound = NIOLoopBound(timer, eventLoop: eventLoop)
        return NIOPipeBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(bound.value) }
            }
            .takingOwnershipOfDescriptor(input: descriptor)
            .map { channel -> NIOLoopBound<PaceTimer>? in
                bound.value.channel = channel
                return bound
            }
            .flatMapErrorThrowing { _ in
                // Not registered: the descriptor is still ours to close, and the driver falls back.
                _ = Glibc.close(descriptor)
                return nil
            }
        #else
        return eventLoop.makeSucceededFuture(nil)
        #endif
    }

    /// Wakes the driver at `deadline` (NIODeadline's uptime nanoseconds), replacing any earlier arming.
    @inline(__always)
    func arm(at deadline: UInt64) {
        #if os(Linux)
        _ = bench_timerfd_arm(descriptor, deadline)
        #endif
    }

    /// Stops the timer; the channel closes the descriptor.
    func close() {
        channel?.close(promise: nil)
        channel = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Eight bytes, the number of expiries: one wake-up whatever the count.
        fire()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
