"""Training hyperparameters and the named presets shared by the CLI and the app."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

from core.errors import ConfigError
from core.model.config import RVQVAEConfig

WINDOW_SAMPLING = ("starts", "frames")
"""Where training windows start in their clips (:func:`core.train.dataset.window_starts`): "starts",
every start inside a clip equally likely (a clip's first and last frames are in a 64th of the windows
its middle frames are in, at a 64-frame window), or "frames", every frame in at least as many windows
as a middle frame. Runs written before the setting existed used "starts"."""


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides what a training run computes (the model config included)."""

    model: RVQVAEConfig = field(default_factory=RVQVAEConfig)
    batch_size: int = 256
    window: int = 128
    steps: int = 100_000
    lr: float = 2e-4
    betas: tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.0
    warmup_steps: int = 1000
    lr_milestones: tuple[int, ...] = (50_000, 75_000)
    lr_gamma: float = 0.1
    velocity_weight: float = 0.5
    commit_weight: float = 0.02
    position_weight: float = 0.0
    root_weight: float = 0.0
    """Extra weight of the SmoothL1 on the first ``root_dims`` feature channels (0: no root term)."""
    root_dims: int = 4
    """Leading channels the root term covers: HumanML3D's root rotation velocity, ground velocity, height."""
    whole_clips: bool = False
    """Batches of whole clips (each cropped to at most ``window`` frames, padded to the longest and
    masked out of the loss) instead of fixed ``window``-frame windows."""
    representation: str = "rot6d"
    """The features: "rot6d" (6D rotations of every joint) or "humanml3d" (HumanML3D's 263 rows)."""
    body_part: str = ""
    """A part of SMPL-X clips (a name of :data:`core.features.smplx_parts.PARTS`, or joint names separated
    by commas) instead of the whole body ("")."""
    stats: tuple[str, ...] = ()
    """Statistics files to normalise with instead of fitting: mean and std (and, for a body part with root
    channels, the trans mean and std)."""
    root_channels: bool = False
    mirror: bool = False
    random_heading: bool = False
    random_speed: float = 0.0
    strict_joint_names: bool = False
    """Skip clips whose joints are named otherwise than the first clip's, even in the same tree and
    order, instead of matching them by position."""
    window_sampling: str = "starts"
    """See :data:`WINDOW_SAMPLING`."""
    seed: int = 0
    log_every: int = 10
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    eval_every: int = 500
    """Steps between held-out MPJPE evaluations when a split file holds clips out (0: never)."""

    def __post_init__(self) -> None:
        if self.batch_size < 1 or self.steps < 1 or self.lr <= 0:
            raise ValueError("batch_size and steps must be positive, lr above zero")
        factor = self.model.downsample_factor
        if self.window < factor or self.window % factor:
            raise ValueError(
                f"window {self.window} must be a positive multiple of the model's downsampling {factor}"
            )
        if self.random_speed < 0:
            raise ValueError(f"random_speed must be at least 0, got {self.random_speed}")
        if self.window_sampling not in WINDOW_SAMPLING:
            raise ValueError(
                f"window_sampling must be one of {', '.join(WINDOW_SAMPLING)}, got {self.window_sampling!r}"
            )
        if self.whole_clips and self.random_speed > 0:
            raise ValueError("random_speed resamples fixed windows; it cannot be used with whole_clips")
        if self.root_weight < 0 or not 1 <= self.root_dims <= self.model.input_dim:
            raise ValueError(
                f"root_weight must be at least 0 and root_dims in [1, {self.model.input_dim}], "
                f"got {self.root_weight} and {self.root_dims}"
            )
        if self.representation not in ("rot6d", "humanml3d"):
            raise ValueError(f"representation must be rot6d or humanml3d, got {self.representation!r}")
        if self.body_part and self.representation != "rot6d":
            raise ValueError("a body part is a part of the 6D rotation features: use representation rot6d")
        if len(self.stats) not in (0, 2, 4):
            raise ValueError(f"stats takes MEAN STD [TRANS_MEAN TRANS_STD] files, got {len(self.stats)}")
        if self.log_every < 1 or self.checkpoint_every < 1 or self.keep_checkpoints < 1:
            raise ValueError("log_every, checkpoint_every and keep_checkpoints must be at least 1")
        if self.eval_every < 0:
            raise ValueError(f"eval_every must be at least 0 (0: never), got {self.eval_every}")

    def to_dict(self) -> dict:
        data = asdict(self)
        data["model"] = self.model.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["model"] = RVQVAEConfig.from_dict(data["model"])
        kwargs["betas"] = tuple(kwargs.get("betas", (0.9, 0.99)))
        kwargs["lr_milestones"] = tuple(kwargs.get("lr_milestones", ()))
        kwargs["stats"] = tuple(kwargs.get("stats", ()))
        return cls(**kwargs)

    def with_input_dim(self, input_dim: int) -> TrainConfig:
        return replace(self, model=replace(self.model, input_dim=input_dim))


PRESETS: dict[str, TrainConfig] = {
    # The numbers of the design documents (../shared/seeds): sized for a GPU.
    "seed": TrainConfig(),
    # Fits a laptop CPU: a narrower network, fewer and smaller codes, shorter windows. A batch holds
    # 1,024 token steps, 16 per code: the first layer's codes specialise (to the heading a clip faces,
    # among others), and held-out clips reached 80% of them only with 64 codes, not 128. The position
    # term makes up for the fewer, smaller steps; mirrored clips double the data. Clip ends: windows
    # drawn so every frame is trained as often as a middle one, convs that repeat the edge frame (not
    # exportable to the peers, whose convs pad with zeros). Measurements behind each choice:
    # docs/model.md, "What moved the numbers" and "Clip ends".
    "small": TrainConfig(
        model=RVQVAEConfig(width=192, code_dim=64, nb_code=64, depth=3, pad_mode="replicate"),
        batch_size=64,
        window=64,
        steps=9000,
        lr=5e-4,
        warmup_steps=200,
        lr_milestones=(6000, 8000),
        checkpoint_every=500,
        root_channels=True,
        position_weight=1.0,
        mirror=True,
        window_sampling="frames",
    ),
    # Motion-S (../shared/seeds, docs/model.md "Motion-S"): plain convs with BatchNorm, a 256-dim latent,
    # 6 x 512 EMA codes chosen by argmin (no Gumbel sampling) with quantize dropout 0.2, on HumanML3D's
    # 263 features (SMPL-X clips are converted; --representation rot6d trains it on rotations instead). Width 512, as in the seed's layer listing: the first
    # conv reads 3 frames x 263 channels and the plain stack has no residual paths, so its capacity is
    # its width; 256 would make every hidden layer narrower than the input. Loss: SmoothL1 + 1.5 x root
    # + 2.0 x velocity + 1.0 x commitment, on whole clips of up to 196 frames (HumanML3D's longest).
    "motion-s": TrainConfig(
        model=RVQVAEConfig(
            arch="motion-s",
            input_dim=263,
            width=512,
            depth=1,
            code_dim=256,
            nb_code=512,
            num_quantizers=6,
            quantize_dropout_prob=0.2,
            sample_codebook_temp=0.0,
            dropout=0.0,
        ),
        batch_size=64,
        window=196,
        velocity_weight=2.0,
        commit_weight=1.0,
        root_weight=1.5,
        root_dims=4,
        whole_clips=True,
        representation="humanml3d",
    ),
}


def preset(name: str) -> TrainConfig:
    """A copy of a named preset; raises ConfigError listing the names for an unknown one."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


WHOLE_BODY_ONLY = ("mirror", "random_heading", "random_speed", "position_weight", "root_channels")
"""Settings written for 6D rotations of a whole skeleton (mirroring by joint names, turning and speeding
up the root, the joint-position loss after forward kinematics, the root's path as features): a body part
or HumanML3D's rows cannot use them. Each is off at False or 0."""


def whole_body_features(config: TrainConfig) -> bool:
    """Whether ``config`` trains on 6D rotations of the whole skeleton, the features
    :data:`WHOLE_BODY_ONLY` settings are written for."""
    return config.representation == "rot6d" and not config.body_part


def whole_body_settings_on(config: TrainConfig) -> list[str]:
    """The :data:`WHOLE_BODY_ONLY` settings ``config`` turns on, by field name."""
    return [name for name in WHOLE_BODY_ONLY if getattr(config, name)]
