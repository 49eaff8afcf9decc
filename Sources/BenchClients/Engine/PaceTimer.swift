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
    private let lost: () -> Void
    private var channel: Channel?
    /// Closed, or arming failed: the driver has been told and paces with NIO's timers.
    private(set) var isDead = false

    private init(descriptor: CInt, fire: @escaping () -> Void, lost: @escaping () -> Void) {
        self.descriptor = descriptor
        self.fire = fire
        self.lost = lost
    }

    /// A timer whose expiries call `fire` on `eventLoop`, and that calls `lost` once if it stops
    /// working before `close()`; nil where the system has no timer descriptors.
    static func start(on eventLoop: EventLoop, fire: @escaping () -> Void, lost: @escaping () -> Void)
        -> EventLoopFuture<NIOLoopBound<PaceTimer>?>
    {
        #if os(Linux)
        let descriptor = bench_timerfd_create()
        guard descriptor >= 0 else { return eventLoop.makeSucceededFuture(nil) }
        let timer = PaceTimer(descriptor: descriptor, fire: fire, lost: lost)
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
            .flatMapErrorThrowing { error in
                // NIO hands the descriptor back only when it refused it up front (its type); once a channel
                // was made, a failed registration closes the channel and the descriptor with it.
                if let error = error as? ChannelError, error == .operationUnsupported { _ = Glibc.close(descriptor) }
                bound.value.isDead = true
                return nil
            }
        #else
        return eventLoop.makeSucceededFuture(nil)
        #endif
    }

    /// Wakes the driver at `deadline` (NIODeadline's uptime nanoseconds), replacing any earlier
    /// arming. If the kernel refuses, the timer is lost (`lost` runs before this returns).
    @inline(__always)
    func arm(at deadline: UInt64) {
        guard !isDead else { return }
        #if os(Linux)
        if bench_timerfd_arm(descriptor, deadline) != 0 { die() }
        #endif
    }

    /// Stops the timer for good; the channel closes the descriptor. `lost` is not called.
    func close() {
        isDead = true
        channel?.close(promise: nil)
        channel = nil
    }

    private func die() {
        guard !isDead else { return }
        close()
        lost()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Eight bytes, the number of expiries: one wake-up whatever the count.
        guard !isDead else { return }
        fire()
    }

    func channelInactive(context: ChannelHandlerContext) {
        die()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        die()
    }
}
