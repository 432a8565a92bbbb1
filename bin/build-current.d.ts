/** True when `root/dist` is a complete build started after every change under `root/src`. */
export declare function isBuildCurrent(root: string): boolean;
