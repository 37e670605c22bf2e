// Every interface string, one dictionary per language; Chinese by default, switchable.

const ZH = {
  "app.title": "空中快警 · 地面站",
  "tab.fleet": "机队", "tab.incidents": "警情", "tab.docks": "机库", "tab.alerts": "告警",
  "conn.connecting": "正在连接", "conn.live": "实时", "conn.reconnecting": "重新连接中", "conn.unauthorised": "需要登录",
  "conn.stale": "数据已过时", "conn.stale_for": "数据已过时 {s} 秒",
  "map.rings": "1/3/5 分钟圈（直线估算）", "map.trails": "航迹", "map.zones": "空域",
  "map.plain": "离线底图（未安装 Leaflet）", "map.leaflet_tiles": "Leaflet · 瓦片", "map.leaflet_offline": "Leaflet · 离线底图",
  "details.empty": "在地图或列表中选择无人机、警情或机库",
  "login.username": "用户名", "login.password": "密码", "login.submit": "登录", "login.logout": "退出", "login.failed": "用户名或密码错误",
  "role.admin": "管理员", "role.pilot": "飞手", "role.commander": "指挥员", "role.automation": "自动化", "role.viewer": "观察员",
  "common.cancel": "取消", "common.confirm": "确认", "common.yes": "是", "common.no": "否", "common.timeout": "等待超时",
  "result.refused": "地面站拒绝：", "result.forbidden": "无权限：", "result.network": "无法连接地面站：",
  "drone.title": "无人机", "drone.link": "链路", "drone.online": "在线", "drone.link_lost": "链路丢失", "drone.link_loss": "丢包率",
  "drone.updated": "更新", "drone.mode": "模式", "drone.armed": "已解锁", "drone.flying": "飞行中", "drone.autopilot": "飞控",
  "drone.position": "位置", "drone.alt_rel": "相对高度", "drone.alt_amsl": "海拔高度", "drone.heading": "航向",
  "drone.speed": "地速", "drone.climb": "爬升率", "drone.battery": "电池", "drone.gps": "GPS", "drone.sats": "颗卫星",
  "drone.mission": "任务进度", "drone.no_telemetry": "暂无遥测", "drone.unregistered": "该无人机未登记，不能下达指令",
  "drone.commands": "指令", "drone.alt_target": "高度", "drone.orbit_radius": "盘旋半径",
  "cmd.arm": "解锁", "cmd.disarm": "上锁", "cmd.takeoff": "起飞", "cmd.goto": "飞往点击点", "cmd.orbit": "盘旋",
  "cmd.hold": "悬停", "cmd.rtl": "返航", "cmd.land": "降落",
  "cmd.confirm": "确认对 {name} 执行「{command}」？", "cmd.accepted": "「{command}」已被接受",
  "mode.pick_goto": "在地图上点击目标点", "mode.pick_orbit": "在地图上点击盘旋中心", "mode.pick_incident": "在地图上点击警情位置",
  "mode.route": "在地图上依次点击航点", "mode.coverage": "在地图上依次点击辖区边界的顶点",
  "coverage.open": "辖区覆盖", "coverage.title": "辖区覆盖分析",
  "coverage.help": "画出辖区边界，地面站按派遣的到场时间模型（起飞准备、爬升、避让禁飞区的航线、往返电量）计算各机库 1/3/5 分钟内可到达的面积比例。",
  "coverage.cell": "网格（米）", "coverage.draw": "绘制辖区", "coverage.compute": "计算覆盖", "coverage.clear": "清除",
  "coverage.need_corners": "辖区至少需要 {n} 个顶点", "coverage.bad_cell": "网格应在 {min}–{max} 米之间",
  "coverage.no_docks": "地面站没有机库，无法计算覆盖", "coverage.area": "辖区面积 {km2} 平方公里 · 网格 {cell} 米",
  "coverage.dock": "机库", "coverage.within": "{m} 分钟内", "coverage.union": "全部机库（合计）",
  "coverage.pick_layer": "点击一行，在地图上显示该机库（或合计）的覆盖范围",
  "route.title": "航线规划", "route.shape.waypoints": "航点", "route.shape.polygon": "区域（多边形）", "route.shape.polyline": "线路巡逻",
  "route.pattern.sweep": "扫描", "route.pattern.perimeter": "周界",
  "route.draw": "绘制", "route.validate": "校验", "route.upload": "上传", "route.clear": "清除",
  "route.valid": "校验通过：{count} 个航点，{length} 米，约 {minutes} 分钟", "route.invalid": "航线未通过校验",
  "route.no_endpoint": "地面站未提供航线校验接口", "route.confirm_upload": "确认将航线上传到 {name}？", "route.uploaded": "航线已上传（{at}）",
  "incident.new_by_click": "在地图上新建警情", "incident.new": "新建警情", "incident.kind": "类别", "incident.priority": "等级",
  "incident.address": "地址", "incident.description": "描述", "incident.create": "创建", "incident.default_kind": "现场警情",
  "incident.status": "状态", "incident.position": "位置", "incident.reported_at": "报警时间", "incident.source": "来源",
  "incident.status.open": "待处置", "incident.status.dispatched": "已派出", "incident.status.on_scene": "已到场", "incident.status.closed": "已结束",
  "incident.timeline": "时间线", "incident.mark_on_scene": "标记已到场", "incident.summary": "结案摘要", "incident.close": "结案",
  "incident.summary_needed": "请填写结案摘要", "incident.closed": "警情已结案",
  "incident.handover_title": "移交地面警力", "incident.handover": "移交", "incident.handed": "已移交给 {name}",
  "timeline.created": "创建", "timeline.dispatch": "派出无人机", "timeline.handover": "移交地面警力", "timeline.status": "状态变更",
  "timeline.note": "备注", "timeline.closed": "结案", "timeline.attachment": "证据",
  "timeline.video": "空中视频", "timeline.video_end": "视频结束", "timeline.on_scene": "已到场", "timeline.dispatch_failed": "派出失败",
  "unit.patrol_car": "巡逻车", "unit.police_platform": "警务站", "unit.officer": "民警", "unit.busy": "忙", "unit.none": "暂无地面警力",
  "dispatch.title": "派遣排序", "dispatch.eta": "预计", "dispatch.send": "派出 / 空中视频", "dispatch.sent": "已派出 {name}",
  "dispatch.by_station": "地面站排序（到场时间）", "dispatch.by_estimate": "估算：直线距离 ÷ 巡航速度（地面站未提供派遣排序）",
  "dispatch.none": "没有可派遣的无人机", "dispatch.arrived": "{name} 已到达现场上空", "dispatch.en_route": "{name} 前往现场，距离 {distance} 米",
  "video.title": "实时视频", "video.none": "该警情暂无视频流", "video.unavailable": "地面站未提供视频服务", "video.playing": "播放中", "video.lost": "视频中断 {code}，正在重试",
  "video.recordings": "录像", "video.refresh": "刷新", "video.play": "播放", "video.recording_now": "录制中",
  "dock.title": "机库", "dock.key": "编号", "dock.readings": "状态与读数", "dock.schedules": "巡逻计划", "dock.history": "历史",
  "dock.maintenance": "维护（手动）", "dock.open": "打开舱盖", "dock.close": "关闭舱盖", "dock.confirm": "确认对机库 {name} 执行「{action}」？",
  "dock.done": "机库已执行", "dock.no_control": "地面站未提供机库控制接口", "dock.no_status": "地面站未提供机库状态",
  "dock.no_history": "地面站未提供机库历史", "dock.no_schedules": "无巡逻计划", "dock.enabled": "启用", "dock.disabled": "停用",
  "dock.state": "状态",
  "dock.online": "在线", "dock.drone": "无人机", "dock.max_wind": "最大允许风速",
  "dock.maintenance_on": "进入维护", "dock.maintenance_off": "结束维护",
  "dock.state.offline": "离线", "dock.state.idle_charging": "待命·充电", "dock.state.idle_ready": "待命·就绪", "dock.state.idle_empty": "待命·空库",
  "dock.state.preparing": "准备中", "dock.state.launching": "起飞中", "dock.state.drone_out": "无人机在外", "dock.state.awaiting_return": "等待返回",
  "dock.state.landing": "降落中", "dock.state.closing": "关闭中", "dock.state.fault": "故障", "dock.state.maintenance": "维护", "dock.state.unknown": "未知",
  "reading.at": "读数时间", "reading.mode": "模式", "reading.door": "舱盖", "reading.drone_present": "机内有无人机",
  "reading.drone_powered": "无人机上电", "reading.drone_battery_pct": "无人机电量 %", "reading.charge_state": "充电",
  "reading.wind_speed_mps": "风速 m/s", "reading.rain": "降雨", "reading.temperature_c": "温度 °C", "reading.humidity_pct": "湿度 %",
  "reading.power": "供电", "reading.network": "网络", "reading.emergency_stop": "急停", "reading.lat_deg": "纬度", "reading.lon_deg": "经度",
  "zone.no_fly": "禁飞区", "zone.operating_area": "作业区", "zone.altitude_limit": "限高区", "zone.temporary": "临时",
  "alert.black_flying": "黑飞无人机", "alert.link_lost": "链路丢失", "alert.link_regained": "链路恢复", "alert.status_text": "飞控消息",
  "alert.command_failed": "指令失败", "alert.dropped": "消息丢失",
};

const EN = {
  "app.title": "Air Rapid Response · Ground Station",
  "tab.fleet": "Fleet", "tab.incidents": "Incidents", "tab.docks": "Docks", "tab.alerts": "Alerts",
  "conn.connecting": "Connecting", "conn.live": "Live", "conn.reconnecting": "Reconnecting", "conn.unauthorised": "Login needed",
  "conn.stale": "Data stale", "conn.stale_for": "Data stale for {s} s",
  "map.rings": "1/3/5-minute rings (straight-line estimate)", "map.trails": "Trails", "map.zones": "Zones",
  "map.plain": "Offline base (Leaflet not installed)", "map.leaflet_tiles": "Leaflet · tiles", "map.leaflet_offline": "Leaflet · offline base",
  "details.empty": "Select a drone, incident or dock on the map or in a list",
  "login.username": "Username", "login.password": "Password", "login.submit": "Log in", "login.logout": "Log out", "login.failed": "Wrong username or password",
  "role.admin": "Admin", "role.pilot": "Pilot", "role.commander": "Commander", "role.automation": "Automation", "role.viewer": "Viewer",
  "common.cancel": "Cancel", "common.confirm": "Confirm", "common.yes": "yes", "common.no": "no", "common.timeout": "Timed out",
  "result.refused": "Refused by the station:", "result.forbidden": "Not allowed:", "result.network": "Station unreachable:",
  "drone.title": "Drone", "drone.link": "Link", "drone.online": "online", "drone.link_lost": "link lost", "drone.link_loss": "Packet loss",
  "drone.updated": "Updated", "drone.mode": "Mode", "drone.armed": "Armed", "drone.flying": "Flying", "drone.autopilot": "Autopilot",
  "drone.position": "Position", "drone.alt_rel": "Altitude (rel.)", "drone.alt_amsl": "Altitude (AMSL)", "drone.heading": "Heading",
  "drone.speed": "Ground speed", "drone.climb": "Climb", "drone.battery": "Battery", "drone.gps": "GPS", "drone.sats": "satellites",
  "drone.mission": "Mission", "drone.no_telemetry": "No telemetry yet", "drone.unregistered": "This drone is not registered: no commands",
  "drone.commands": "Commands", "drone.alt_target": "Altitude", "drone.orbit_radius": "Orbit radius",
  "cmd.arm": "Arm", "cmd.disarm": "Disarm", "cmd.takeoff": "Take off", "cmd.goto": "Go to clicked point", "cmd.orbit": "Orbit",
  "cmd.hold": "Hold", "cmd.rtl": "Return", "cmd.land": "Land",
  "cmd.confirm": "Send \"{command}\" to {name}?", "cmd.accepted": "\"{command}\" accepted",
  "mode.pick_goto": "Click the target on the map", "mode.pick_orbit": "Click the orbit centre on the map", "mode.pick_incident": "Click the incident's place on the map",
  "mode.route": "Click the waypoints on the map in order",
  "mode.coverage": "Click the district's corners on the map in order",
  "coverage.open": "District coverage", "coverage.title": "District coverage",
  "coverage.help": "Draw a district; the station works out the share of it each dock reaches within 1/3/5 minutes with the dispatch time-to-scene model (launch, climb, zone-avoiding path, battery for the round trip).",
  "coverage.cell": "Grid (m)", "coverage.draw": "Draw district", "coverage.compute": "Compute coverage", "coverage.clear": "Clear",
  "coverage.need_corners": "A district needs at least {n} corners", "coverage.bad_cell": "The grid must be {min}–{max} m",
  "coverage.no_docks": "The station has no docks to compute coverage with", "coverage.area": "District {km2} km² · grid {cell} m",
  "coverage.dock": "Dock", "coverage.within": "within {m} min", "coverage.union": "All docks (union)",
  "coverage.pick_layer": "Click a row to show that dock's (or the union's) reach on the map",
  "route.title": "Route planning", "route.shape.waypoints": "Waypoints", "route.shape.polygon": "Area (polygon)", "route.shape.polyline": "Line patrol",
  "route.pattern.sweep": "Sweep", "route.pattern.perimeter": "Perimeter",
  "route.draw": "Draw", "route.validate": "Validate", "route.upload": "Upload", "route.clear": "Clear",
  "route.valid": "Valid: {count} items, {length} m, about {minutes} min", "route.invalid": "The route failed validation",
  "route.no_endpoint": "The station offers no route validation", "route.confirm_upload": "Upload the route to {name}?", "route.uploaded": "Route uploaded ({at})",
  "incident.new_by_click": "New incident on the map", "incident.new": "New incident", "incident.kind": "Kind", "incident.priority": "Priority",
  "incident.address": "Address", "incident.description": "Description", "incident.create": "Create", "incident.default_kind": "Incident",
  "incident.status": "Status", "incident.position": "Position", "incident.reported_at": "Reported", "incident.source": "Source",
  "incident.status.open": "open", "incident.status.dispatched": "dispatched", "incident.status.on_scene": "on scene", "incident.status.closed": "closed",
  "incident.timeline": "Timeline", "incident.mark_on_scene": "Mark on scene", "incident.summary": "Closing summary", "incident.close": "Close",
  "incident.summary_needed": "A closing summary is needed", "incident.closed": "Incident closed",
  "incident.handover_title": "Hand to a ground unit", "incident.handover": "Hand over", "incident.handed": "Handed to {name}",
  "timeline.created": "created", "timeline.dispatch": "drone sent", "timeline.handover": "handed to ground unit", "timeline.status": "status",
  "timeline.note": "note", "timeline.closed": "closed", "timeline.attachment": "evidence",
  "timeline.video": "overhead video", "timeline.video_end": "video ended", "timeline.on_scene": "on scene", "timeline.dispatch_failed": "dispatch failed",
  "unit.patrol_car": "patrol car", "unit.police_platform": "police post", "unit.officer": "officer", "unit.busy": "busy", "unit.none": "No ground units",
  "dispatch.title": "Dispatch ranking", "dispatch.eta": "ETA", "dispatch.send": "Send drone / overhead video", "dispatch.sent": "{name} sent",
  "dispatch.by_station": "Ranked by the station (time to scene)", "dispatch.by_estimate": "Estimate: straight line at cruise speed (the station published no ranking)",
  "dispatch.none": "No drone available", "dispatch.arrived": "{name} is overhead", "dispatch.en_route": "{name} en route, {distance} m to go",
  "video.title": "Live video", "video.none": "No video stream on this incident yet", "video.unavailable": "The station offers no video service", "video.playing": "Playing", "video.lost": "Video interrupted {code}, retrying",
  "video.recordings": "Recordings", "video.refresh": "Refresh", "video.play": "Play", "video.recording_now": "recording",
  "dock.title": "Dock", "dock.key": "Key", "dock.readings": "State and readings", "dock.schedules": "Patrol schedules", "dock.history": "History",
  "dock.maintenance": "Maintenance (manual)", "dock.open": "Open cover", "dock.close": "Close cover", "dock.confirm": "\"{action}\" on dock {name}?",
  "dock.done": "Dock did it", "dock.no_control": "The station offers no dock control", "dock.no_status": "The station offers no dock state",
  "dock.no_history": "The station offers no dock history", "dock.no_schedules": "No schedules", "dock.enabled": "enabled", "dock.disabled": "disabled",
  "dock.state": "State",
  "dock.online": "Online", "dock.drone": "Drone", "dock.max_wind": "Wind limit",
  "dock.maintenance_on": "Start maintenance", "dock.maintenance_off": "End maintenance",
  "dock.state.offline": "offline", "dock.state.idle_charging": "idle, charging", "dock.state.idle_ready": "idle, ready", "dock.state.idle_empty": "idle, empty",
  "dock.state.preparing": "preparing", "dock.state.launching": "launching", "dock.state.drone_out": "drone out", "dock.state.awaiting_return": "awaiting return",
  "dock.state.landing": "landing", "dock.state.closing": "closing", "dock.state.fault": "fault", "dock.state.maintenance": "maintenance", "dock.state.unknown": "unknown",
  "reading.at": "Read at", "reading.mode": "Mode", "reading.door": "Cover", "reading.drone_present": "Drone inside",
  "reading.drone_powered": "Drone powered", "reading.drone_battery_pct": "Drone battery %", "reading.charge_state": "Charging",
  "reading.wind_speed_mps": "Wind m/s", "reading.rain": "Rain", "reading.temperature_c": "Temperature °C", "reading.humidity_pct": "Humidity %",
  "reading.power": "Power", "reading.network": "Network", "reading.emergency_stop": "Emergency stop", "reading.lat_deg": "Latitude", "reading.lon_deg": "Longitude",
  "zone.no_fly": "no-fly", "zone.operating_area": "operating area", "zone.altitude_limit": "altitude limit", "zone.temporary": "temporary",
  "alert.black_flying": "Unauthorised drone", "alert.link_lost": "Link lost", "alert.link_regained": "Link back", "alert.status_text": "Autopilot message",
  "alert.command_failed": "Command failed", "alert.dropped": "Messages lost",
};

export const DICTIONARIES = Object.freeze({ "zh-CN": ZH, en: EN });
const LANG_KEY = "gcs.lang";

let lang = localStorage.getItem(LANG_KEY) in DICTIONARIES ? localStorage.getItem(LANG_KEY) : "zh-CN";
let timeZone = "Asia/Shanghai";

export function getLang() { return lang; }

export function setLang(next) {
  lang = next in DICTIONARIES ? next : "zh-CN";
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
}

export function setTimeZone(zone) { timeZone = zone || "Asia/Shanghai"; }

/** The text for a key in the current language, with {name} parameters filled in. */
export function t(key, params = {}, fallback = undefined) {
  const text = DICTIONARIES[lang][key] ?? (fallback !== undefined ? fallback : key);
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] ?? `{${name}}`));
}

export function applyI18n(root) {
  document.documentElement.lang = lang;
  root.querySelectorAll("[data-i18n]").forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.title = t("app.title");
}

/** A time in the station's display zone. */
export function fmtTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "–";
  return d.toLocaleString(lang, { timeZone, hour12: false, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
